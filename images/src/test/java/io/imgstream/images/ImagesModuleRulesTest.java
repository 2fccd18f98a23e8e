package io.imgstream.images;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The images module's arrows: it stands on the schemas alone, so every application can load images through it. */
@AnalyzeClasses(packages = "io.imgstream.images", importOptions = ImportOption.DoNotIncludeTests.class)
class ImagesModuleRulesTest {

    @ArchTest
    static final ArchRule dependsOnlyOnTheSchemas = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.imgstream.model..",
                    "io.imgstream.control..",
                    "io.imgstream.runtime..",
                    "io.imgstream.topology..",
                    "io.imgstream.training..",
                    "io.imgstream.evaluation..",
                    "io.imgstream.connect..",
                    "io.imgstream.labeling..",
                    "io.imgstream.cli..",
                    "org.deeplearning4j..",
                    "org.nd4j..");

    @ArchTest
    static final ArchRule packagesFreeOfCycles =
            slices().matching("io.imgstream.images.(*)..").should().beFreeOfCycles();
}
