package io.jstrato.bench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import io.jstrato.bench.e2e.Harness;
import io.jstrato.vmm.vcpu.KvmVcpu;
import org.junit.jupiter.api.Test;

/**
 * Every class bench builds (its own and the ones JMH generates) is in {@code io.jstrato.bench..}: a benchmark
 * placed in a production package to reach its package-private API would share that package with the module it
 * measures, and the jar bench ships would carry classes under the production module's names.
 */
class BenchPackagesTest {
    static final ArchRule BENCH_IN_ITS_OWN_PACKAGES = classes()
            .should()
            .resideInAPackage("io.jstrato.bench..")
            .because("bench measures the production modules from outside their packages (bench/README.md)");

    /** bench's own compiled classes: the directory (or jar) Harness was loaded from, and nothing else. */
    private static final JavaClasses BENCH_CLASSES = new ClassFileImporter()
            .importUrl(Harness.class.getProtectionDomain().getCodeSource().getLocation());

    @Test
    void everyBenchClassIsInABenchPackage() {
        assertTrue(
                BENCH_CLASSES.containPackage("io.jstrato.bench.vcpu")
                        && BENCH_CLASSES.containPackage("io.jstrato.bench.qmp"),
                "the import saw bench's benchmarks");
        BENCH_IN_ITS_OWN_PACKAGES.check(BENCH_CLASSES);
    }

    @Test
    void theRuleFailsOnAClassInAProductionPackage() {
        JavaClasses wrong = new ClassFileImporter().importClasses(KvmVcpu.class);
        AssertionError error = assertThrows(AssertionError.class, () -> BENCH_IN_ITS_OWN_PACKAGES.check(wrong));
        assertTrue(error.getMessage().contains("io.jstrato.vmm.vcpu.KvmVcpu"), error.getMessage());
    }
}
