package io.bklog.core;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** DESIGN.md: core is backend-neutral; backends are reached only through the SPI. */
@AnalyzeClasses(packages = "io.bklog.core", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule coreImportsNoBackend = noClasses().that().resideInAPackage("io.bklog.core..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "io.bklog.lucene..", "io.bklog.es..", "io.bklog.redis..", "io.bklog.kafka..", "io.bklog.server..",
                    "org.apache.lucene..", "co.elastic..", "io.lettuce..", "org.apache.kafka..", "io.javalin..")
            .because("core talks to backends only through io.bklog.spi");

    @ArchTest
    static final ArchRule onlyTheTopologyKnowsTheRouter = noClasses().that()
            .resideOutsideOfPackage("io.bklog.core.store..")
            .should().dependOnClassesThat().haveFullyQualifiedName("io.bklog.core.store.RoutingLogStore")
            .because("services take the StorageTopology (clusters, which repository serves an index set), never"
                    + " ask a store whether it routes");

    @ArchTest
    static final ArchRule coreDoesNotPrint = noClasses().that().resideInAPackage("io.bklog.core..")
            .should().accessField(System.class, "out").orShould().accessField(System.class, "err")
            .because("library code logs through SLF4J");
}
