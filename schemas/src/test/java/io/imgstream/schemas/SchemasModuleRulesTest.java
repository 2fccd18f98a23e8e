package io.imgstream.schemas;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The schemas' arrows: below every other module, so any client can use them alone. */
@AnalyzeClasses(packages = "io.imgstream.schemas", importOptions = ImportOption.DoNotIncludeTests.class)
class SchemasModuleRulesTest {

    @ArchTest
    static final ArchRule staysInItsPlace = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.imgstream.model..",
                    "io.imgstream.demo..",
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
