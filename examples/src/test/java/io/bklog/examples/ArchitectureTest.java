package io.bklog.examples;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The examples are the model of an embedding host: they use the public services of {@code LogPlatform} and the SPI,
 * never a package marked internal (its {@code package-info} says "not a stable API").
 */
@AnalyzeClasses(packages = "io.bklog.examples", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    /** The packages of bklog-core marked internal. */
    static final String[] INTERNAL = {"io.bklog.core.internal..", "io.bklog.core.store.."};

    @ArchTest
    static final ArchRule examplesUseNoInternalPackage = noClasses().that().resideInAPackage("io.bklog.examples..")
            .should().dependOnClassesThat().resideInAnyPackage(INTERNAL)
            .because("an embedding host uses LogPlatform's services; internal packages may change in any release");

    @ArchTest
    static final ArchRule examplesDoNotReachBehindTheServices = noClasses().that()
            .resideInAPackage("io.bklog.examples..")
            .should().callMethod(io.bklog.core.LogPlatform.class, "internals")
            .because("LogPlatform.internals() is not a stable API");
}
