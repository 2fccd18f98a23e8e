package io.imgstream.bench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The benchmarks' arrows: they drive the scorer and the stack, never the worker or the CLI. */
@AnalyzeClasses(packages = "io.imgstream.bench", importOptions = ImportOption.DoNotIncludeTests.class)
class BenchModuleRulesTest {

    @ArchTest
    static final ArchRule staysInItsPlace = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.imgstream.training..",
                    "io.imgstream.evaluation..",
                    "io.imgstream.demo..",
                    "io.imgstream.connect..",
                    "io.imgstream.cli..");
}
