package io.imgstream.topology;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The scorer's arrows: beside the worker, never on it. */
@AnalyzeClasses(packages = "io.imgstream.topology", importOptions = ImportOption.DoNotIncludeTests.class)
class ScorerModuleRulesTest {

    @ArchTest
    static final ArchRule neverImportsTheWorker = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("io.imgstream.training..", "io.imgstream.evaluation..", "io.imgstream.connect..",
                    "io.imgstream.cli..");
}
