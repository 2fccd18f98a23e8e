package io.imgstream.clients;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The clients' arrows: the topics' schemas and nothing heavier, so they can be embedded. */
@AnalyzeClasses(packages = "io.imgstream.clients", importOptions = ImportOption.DoNotIncludeTests.class)
class ClientsModuleRulesTest {

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
                    "io.imgstream.bench..",
                    "io.imgstream.connect..",
                    "io.imgstream.labeling..",
                    "io.imgstream.cli..",
                    "org.deeplearning4j..",
                    "org.nd4j..");
}
