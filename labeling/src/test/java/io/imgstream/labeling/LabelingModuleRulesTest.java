package io.imgstream.labeling;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The labeling module's arrows: the schemas, the clients' label sender and the images' fetch path, no more. */
@AnalyzeClasses(packages = "io.imgstream.labeling", importOptions = ImportOption.DoNotIncludeTests.class)
class LabelingModuleRulesTest {

    @ArchTest
    static final ArchRule staysInItsPlace = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.imgstream.model..",
                    "io.imgstream.demo..",
                    "io.imgstream.control..",
                    "io.imgstream.runtime..",
                    "io.imgstream.topology..",
                    "io.imgstream.training..",
                    "io.imgstream.evaluation..",
                    "io.imgstream.stack..",
                    "io.imgstream.connect..",
                    "io.imgstream.cli..",
                    "org.deeplearning4j..",
                    "org.nd4j..");

    @ArchTest
    static final ArchRule packagesFreeOfCycles =
            slices().matching("io.imgstream.labeling.(*)..").should().beFreeOfCycles();
}
