package io.imgstream.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The rules that need every module's classes at once: the schemas below everything, the CLI above everything, no
 * grab-bag packages. Each module checks its own arrows in its own build ({@code *ModuleRulesTest}).
 */
@AnalyzeClasses(packages = "io.imgstream", importOptions = ImportOption.DoNotIncludeTests.class)
class ModuleDependencyRulesTest {

    @ArchTest
    static final ArchRule schemasDependOnNoOtherModule = noClasses()
            .that()
            .resideInAPackage("io.imgstream.schemas..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.imgstream.model..",
                    "io.imgstream.images..",
                    "io.imgstream.control..",
                    "io.imgstream.runtime..",
                    "io.imgstream.topology..",
                    "io.imgstream.training..",
                    "io.imgstream.evaluation..",
                    "io.imgstream.connect..",
                    "io.imgstream.labeling..",
                    "io.imgstream.cli..");

    @ArchTest
    static final ArchRule theCliIsAboveEveryModule = noClasses()
            .that()
            .resideOutsideOfPackage("io.imgstream.cli..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.imgstream.cli..")
            .because("the CLI parses and prints; no module may need it");

    @ArchTest
    static final ArchRule noGrabBagPackages = noClasses()
            .should()
            .resideInAnyPackage(
                    "..util..", "..utils..", "..common..", "..manager..", "..managers..", "..helper..", "..helpers..")
            .because("packages are named after the domain (batching, registry, swap), not after patterns");
}
