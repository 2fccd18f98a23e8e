package io.imgstream.runtime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The runtime module's arrows: it knows no other imgstream module, so both applications can stand on it. */
@AnalyzeClasses(packages = "io.imgstream.runtime", importOptions = ImportOption.DoNotIncludeTests.class)
class RuntimeModuleRulesTest {

    @ArchTest
    static final ArchRule knowsNoOtherModule = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.imgstream.schemas..",
                    "io.imgstream.model..",
                    "io.imgstream.images..",
                    "io.imgstream.control..",
                    "io.imgstream.topology..",
                    "io.imgstream.training..",
                    "io.imgstream.evaluation..",
                    "io.imgstream.connect..",
                    "io.imgstream.cli..");

    @ArchTest
    static final ArchRule packagesFreeOfCycles =
            slices().matching("io.imgstream.runtime.(*)..").should().beFreeOfCycles();
}
