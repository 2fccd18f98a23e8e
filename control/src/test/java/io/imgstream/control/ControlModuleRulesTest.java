package io.imgstream.control;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The control module's arrows: the protocol stands on the schemas and the model store, below both applications. */
@AnalyzeClasses(packages = "io.imgstream.control", importOptions = ImportOption.DoNotIncludeTests.class)
class ControlModuleRulesTest {

    @ArchTest
    static final ArchRule standsBelowTheApplications = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.imgstream.images..",
                    "io.imgstream.runtime..",
                    "io.imgstream.topology..",
                    "io.imgstream.training..",
                    "io.imgstream.evaluation..",
                    "io.imgstream.connect..",
                    "io.imgstream.cli..")
            .because("the scorer reads and the worker and the CLI write the control topic through this one package");
}
