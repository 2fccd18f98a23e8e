package io.imgstream.evaluation;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Replay evaluation's arrows: beside the scorer and the worker, on what they stand on. */
@AnalyzeClasses(packages = "io.imgstream.evaluation", importOptions = ImportOption.DoNotIncludeTests.class)
class EvaluationModuleRulesTest {

    @ArchTest
    static final ArchRule staysInItsPlace = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.imgstream.demo..",
                    "io.imgstream.runtime..",
                    "io.imgstream.topology..",
                    "io.imgstream.training..",
                    "io.imgstream.stack..",
                    "io.imgstream.clients..",
                    "io.imgstream.bench..",
                    "io.imgstream.connect..",
                    "io.imgstream.cli..");
}
