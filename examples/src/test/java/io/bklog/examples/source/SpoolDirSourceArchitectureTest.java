package io.bklog.examples.source;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

@AnalyzeClasses(packages = "io.bklog.examples.source", importOptions = ImportOption.DoNotIncludeTests.class)
class SpoolDirSourceArchitectureTest {

    @ArchTest
    static final ArchRule aThirdPartySourceNeedsOnlyTheSourceSpi = classes()
            .that().resideInAPackage("io.bklog.examples.source..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.bklog.spi..",
                    "io.bklog.examples.source..")
            .because("a third-party source is written against bklog-spi alone (docs/architecture-sources.md)");
}
