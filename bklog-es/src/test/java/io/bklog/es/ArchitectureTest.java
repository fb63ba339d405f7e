package io.bklog.es;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.bklog.es");

    @Test
    void dependsOnlyOnTheJdkTheSpiAndTheElasticsearchClientStack() {
        classes().that().resideInAPackage("io.bklog.es..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(
                        "java..", "io.bklog.spi..", "io.bklog.es..", "co.elastic..", "org.elasticsearch.client..",
                        "jakarta.json..", "com.fasterxml.jackson..", "org.apache.http..", "org.slf4j..")
                .check(MAIN);
    }

    @Test
    void neverImportsAnotherBackendOrTheCore() {
        classes().that().resideInAPackage("io.bklog.es..")
                .should().onlyDependOnClassesThat().resideOutsideOfPackages(
                        "io.bklog.core..", "io.bklog.lucene..", "io.bklog.redis..", "io.bklog.kafka..",
                        "io.bklog.server..")
                .check(MAIN);
    }
}
