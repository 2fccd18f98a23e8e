package io.imgstream.it;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The module arrows of the architecture, checked on the compiled classes of every module:
 * {@code schemas} ← {@code model} ← {@code topology} ← {@code training} ← {@code ops} (the worker takes only the
 * scorer's fetch, metrics and lifecycle packages), and no grab-bag packages.
 */
@AnalyzeClasses(packages = "io.imgstream", importOptions = ImportOption.DoNotIncludeTests.class)
class ModuleDependencyRulesTest {

    @ArchTest
    static final ArchRule schemasDependOnNoOtherModule = noClasses()
            .that().resideInAPackage("io.imgstream.schemas..")
            .should().dependOnClassesThat().resideInAnyPackage("io.imgstream.model..", "io.imgstream.topology..",
                    "io.imgstream.training..", "io.imgstream.connect..", "io.imgstream.cli..");

    @ArchTest
    static final ArchRule modelKnowsNothingOfKafka = noClasses()
            .that().resideInAPackage("io.imgstream.model..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "io.imgstream.topology..",
                    "io.imgstream.training..", "io.imgstream.connect..", "io.imgstream.cli..");

    @ArchTest
    static final ArchRule topologyDependsOnlyOnSchemasAndModel = noClasses()
            .that().resideInAPackage("io.imgstream.topology..")
            .should().dependOnClassesThat().resideInAnyPackage("io.imgstream.training..", "io.imgstream.connect..",
                    "io.imgstream.cli..");

    @ArchTest
    static final ArchRule trainingUsesOnlyTheScorersFetchAndMetrics = noClasses()
            .that().resideInAPackage("io.imgstream.training..")
            .should().dependOnClassesThat(resideInAnyPackage("io.imgstream.connect..", "io.imgstream.cli..")
                    .or(resideInAPackage("io.imgstream.topology..")
                            .and(not(resideInAnyPackage("io.imgstream.topology.fetch..", "io.imgstream.topology.metrics..",
                                    "io.imgstream.topology.lifecycle..")))))
            .because("untrusted image URIs are fetched in one place, the scorer's fetch package, and both Streams "
                    + "applications run the same way (lifecycle); the rest of the scoring topology is none of the "
                    + "worker's business");

    @ArchTest
    static final ArchRule connectorsNeedOnlyTheSchemas = noClasses()
            .that().resideInAPackage("io.imgstream.connect..")
            .should().dependOnClassesThat().resideInAnyPackage("io.imgstream.model..", "io.imgstream.topology..",
                    "io.imgstream.training..", "io.imgstream.cli..", "org.deeplearning4j..", "org.nd4j..")
            .because("the connectors' jar goes onto Connect workers, which should not need DL4J");

    @ArchTest
    static final ArchRule noGrabBagPackages = noClasses()
            .should().resideInAnyPackage("..util..", "..utils..", "..common..", "..manager..", "..managers..",
                    "..helper..", "..helpers..")
            .because("packages are named after the domain (batching, registry, swap), not after patterns");
}
