package io.imgstream.bench;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The benchmarks' arrows: they drive the scorer, the stack and {@code fit} (whose quality they measure), never the
 * worker's streaming parts or the CLI.
 */
@AnalyzeClasses(packages = "io.imgstream.bench", importOptions = ImportOption.DoNotIncludeTests.class)
class BenchModuleRulesTest {

    @ArchTest
    static final ArchRule staysInItsPlace = noClasses()
            .should()
            .dependOnClassesThat(resideInAnyPackage(
                            "io.imgstream.training..",
                            "io.imgstream.evaluation..",
                            "io.imgstream.demo..",
                            "io.imgstream.connect..",
                            "io.imgstream.cli..")
                    .and(resideOutsideOfPackage("io.imgstream.training.fit..")));
}
