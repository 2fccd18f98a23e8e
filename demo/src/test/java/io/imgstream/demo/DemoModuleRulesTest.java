package io.imgstream.demo;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The demo's arrows: its model and data stand on the model module alone. */
@AnalyzeClasses(packages = "io.imgstream.demo", importOptions = ImportOption.DoNotIncludeTests.class)
class DemoModuleRulesTest {

    @ArchTest
    static final ArchRule staysInItsPlace = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.imgstream.schemas..",
                    "io.imgstream.images..",
                    "io.imgstream.control..",
                    "io.imgstream.runtime..",
                    "io.imgstream.topology..",
                    "io.imgstream.training..",
                    "io.imgstream.evaluation..",
                    "io.imgstream.stack..",
                    "io.imgstream.clients..",
                    "io.imgstream.bench..",
                    "io.imgstream.connect..",
                    "io.imgstream.cli..");
}
