package io.imgstream.topology;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The scorer's arrows: beside the worker, never on it; and its own packages depend on each other one way. */
@AnalyzeClasses(packages = "io.imgstream.topology", importOptions = ImportOption.DoNotIncludeTests.class)
class ScorerModuleRulesTest {

    @ArchTest
    static final ArchRule neverImportsTheWorker = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.imgstream.training..",
                    "io.imgstream.evaluation..",
                    "io.imgstream.connect..",
                    "io.imgstream.cli..");

    @ArchTest
    static final ArchRule packagesFreeOfCycles =
            slices().matching("io.imgstream.topology.(*)..").should().beFreeOfCycles();
}
