package io.bklog.kafka;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

@AnalyzeClasses(packages = "io.bklog.kafka", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule kafkaBackendDependsOnlyOnSpiKafkaClientsJacksonAndSlf4j = classes()
            .that().resideInAPackage("io.bklog.kafka..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                    "java..", "io.bklog.spi..", "io.bklog.kafka..", "org.apache.kafka..", "com.fasterxml.jackson..",
                    "org.slf4j..")
            .because("a backend implements the SPI with its client library only (DESIGN.md: modules); the kafka"
                    + " collector source implements the source SPI (io.bklog.spi.source) and its lag gauge goes to the"
                    + " SPI's Meters, so nothing of core or Micrometer is needed");
}
