package io.bklog.lucene;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

@AnalyzeClasses(packages = "io.bklog.lucene", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule luceneBackendDependsOnlyOnSpiLuceneSlf4jAndJackson = classes()
            .that().resideInAPackage("io.bklog.lucene..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                    "java..", "io.bklog.spi..", "io.bklog.lucene..", "org.apache.lucene..", "org.slf4j..",
                    "com.fasterxml.jackson..");
}
