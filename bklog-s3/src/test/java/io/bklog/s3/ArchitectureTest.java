package io.bklog.s3;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

@AnalyzeClasses(packages = "io.bklog.s3", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule s3BackendDependsOnlyOnSpiAwsSdkAndSlf4j = classes()
            .that().resideInAPackage("io.bklog.s3..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                    "java..", "io.bklog.spi..", "io.bklog.s3..", "software.amazon.awssdk..", "org.slf4j..")
            .because("a backend implements the SPI with its client library only (DESIGN.md: modules)");
}
