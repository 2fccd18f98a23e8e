package io.imgstream.model;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Dependencies inside the model module point one way: bundle → preprocess, training → bundle. */
class ModelPackageDependenciesTest {

    private static final JavaClasses MODEL = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.imgstream.model");

    @Test
    void shouldKeepPreprocessingFreeOfOtherModelPackages() {
        noClasses()
                .that()
                .resideInAPackage("io.imgstream.model.preprocess..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.imgstream.model.bundle..", "io.imgstream.model.training..")
                .check(MODEL);
    }

    @Test
    void shouldKeepBundlesFreeOfTraining() {
        noClasses()
                .that()
                .resideInAPackage("io.imgstream.model.bundle..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.imgstream.model.training..")
                .check(MODEL);
    }

    @Test
    void shouldKeepTheLearningPackagesFreeOfBundles() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "io.imgstream.model.features..",
                        "io.imgstream.model.head..",
                        "io.imgstream.model.augment..",
                        "io.imgstream.model.explain..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.imgstream.model.bundle..")
                .check(MODEL);
    }

    @Test
    void shouldKeepTheBaseStoreFreeOfTrainingAndBundles() {
        // Bases are loaded by everything that trains or serves; they must not know any of it.
        noClasses()
                .that()
                .resideInAPackage("io.imgstream.model.bases..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.imgstream.model.bundle..",
                        "io.imgstream.model.training..",
                        "io.imgstream.model.head..",
                        "io.imgstream.model.features..",
                        "io.imgstream.model.inference..")
                .check(MODEL);
    }

    @Test
    void shouldKeepAugmentationFreeOfNetworks() {
        noClasses()
                .that()
                .resideInAPackage("io.imgstream.model.augment..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.deeplearning4j..", "org.nd4j..")
                .check(MODEL);
    }

    @Test
    void shouldKeepModelFreeOfKafkaAndOtherImgstreamModules() {
        noClasses()
                .that()
                .resideInAPackage("io.imgstream.model..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.apache.kafka..",
                        "io.imgstream.schemas..",
                        "io.imgstream.images..",
                        "io.imgstream.control..",
                        "io.imgstream.runtime..",
                        "io.imgstream.topology..",
                        "io.imgstream.training..",
                        "io.imgstream.evaluation..",
                        "io.imgstream.demo..",
                        "io.imgstream.cli..",
                        "io.imgstream.connect..")
                .check(MODEL);
    }
}
