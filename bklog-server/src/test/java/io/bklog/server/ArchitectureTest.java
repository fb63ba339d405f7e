package io.bklog.server;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.bklog.spi.DistributedLock;
import io.bklog.spi.IngestBuffer;
import io.bklog.spi.LogStore;
import io.bklog.spi.SnapshotRepository;
import io.bklog.spi.TaskBroker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** STYLE.md: the server holds routes, CLI and config; backends are reached only through core's services. */
@AnalyzeClasses(packages = "io.bklog.server", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule serverNeverImportsABackend = noClasses().that().resideInAPackage("io.bklog.server..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "io.bklog.lucene..", "io.bklog.es..", "io.bklog.redis..", "io.bklog.kafka..", "io.bklog.s3..",
                    "software.amazon.awssdk..",
                    "org.apache.lucene..", "co.elastic..", "io.lettuce..", "org.apache.kafka..")
            .because("backends are chosen by name (BackendProvider) and used through core");

    @ArchTest
    static final ArchRule routesNeverTouchStorageInterfaces = noClasses().that()
            .resideInAPackage("io.bklog.server.http..")
            .should().dependOnClassesThat().belongToAnyOf(LogStore.class, SnapshotRepository.class,
                    IngestBuffer.class, TaskBroker.class, DistributedLock.class)
            .because("a route handler parses, calls one core service method and writes; logic lives in core");

    @ArchTest
    static final ArchRule serverCodeDoesNotPrintOutsideTheCli = noClasses().that()
            .resideInAPackage("io.bklog.server..").and().resideOutsideOfPackage("io.bklog.server.cli..")
            .should().accessField(System.class, "out").orShould().accessField(System.class, "err")
            .because("the server logs through SLF4J");
}
