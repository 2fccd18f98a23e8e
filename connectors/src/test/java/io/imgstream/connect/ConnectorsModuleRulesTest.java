package io.imgstream.connect;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The connectors' arrows: their jar goes onto Kafka Connect workers, with the schemas and nothing heavier. */
@AnalyzeClasses(packages = "io.imgstream.connect", importOptions = ImportOption.DoNotIncludeTests.class)
class ConnectorsModuleRulesTest {

    @ArchTest
    static final ArchRule needOnlyTheSchemas = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.imgstream.model..",
                    "io.imgstream.control..",
                    "io.imgstream.runtime..",
                    "io.imgstream.topology..",
                    "io.imgstream.training..",
                    "io.imgstream.evaluation..",
                    "io.imgstream.cli..",
                    "org.deeplearning4j..",
                    "org.nd4j..")
            .because("the connectors' jar goes onto Connect workers, which should not need DL4J");
}
