package io.bklog.spi;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/** DESIGN.md: the SPI is small, stable and imports nothing but the JDK. */
@AnalyzeClasses(packages = "io.bklog.spi", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule spiDependsOnlyOnTheJdk = classes().that().resideInAPackage("io.bklog.spi..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.bklog.spi..")
            .because("third parties implement the SPI without pulling in our dependencies");
}
