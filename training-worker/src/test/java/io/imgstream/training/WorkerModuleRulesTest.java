package io.imgstream.training;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The worker's arrows: beside the scorer, never on it. */
@AnalyzeClasses(packages = "io.imgstream.training", importOptions = ImportOption.DoNotIncludeTests.class)
class WorkerModuleRulesTest {

    @ArchTest
    static final ArchRule neverImportsTheScorer = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.imgstream.topology..",
                    "io.imgstream.evaluation..",
                    "io.imgstream.connect..",
                    "io.imgstream.cli..")
            .because("the worker and the scorer are siblings: what both need (images, control, runtime, model) "
                    + "lives in modules below them");

    @ArchTest
    static final ArchRule packagesFreeOfCycles =
            slices().matching("io.imgstream.training.(*)..").should().beFreeOfCycles();
}
