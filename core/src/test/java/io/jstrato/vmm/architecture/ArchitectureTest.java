package io.jstrato.vmm.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.jstrato.devices.archfixture.DeviceReachingForKvm;
import io.jstrato.kvm.archfixture.KvmReachingForTheVmm;
import io.jstrato.qmp.archfixture.QmpReachingForTheVmm;
import io.jstrato.vmm.archfixture.CoreReachingForBench;
import io.jstrato.vmm.archfixturepeer.CyclePeer;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries of docs/DESIGN.md, checked on the compiled production classes of every module core sees
 * (kvm-native, devices, qmp-netty and core itself): Maven keeps a module from using one it does not depend on,
 * this keeps the packages from reaching where their module's role says they must not, and keeps every restricted
 * native call (the ones the JVM asks {@code --enable-native-access} for) inside kvm-native.
 */
class ArchitectureTest {
    private static final String KVM_NATIVE_KVM = "io.jstrato.kvm..";
    private static final String KVM_NATIVE_LINUX = "io.jstrato.linux..";
    private static final String DEVICES = "io.jstrato.devices..";
    private static final String QMP = "io.jstrato.qmp..";
    private static final String CORE = "io.jstrato.vmm..";
    private static final String BENCH = "io.jstrato.bench..";

    /** Production classes only: test output directories and test jars (the modules' testing helpers) are not. */
    private static final ImportOption PRODUCTION =
            location -> !location.contains("/test-classes/") && !location.contains("-tests.jar");

    private static final JavaClasses PRODUCTION_CLASSES =
            new ClassFileImporter().withImportOption(PRODUCTION).importPackages("io.jstrato");

    /** Calls the JVM restricts (JEP 454, 472): linking native code and giving raw addresses a size. */
    static final DescribedPredicate<JavaMethodCall> RESTRICTED = DescribedPredicate.describe(
            "a restricted native call (Linker, SymbolLookup.libraryLookup, MemorySegment.reinterpret, "
                    + "AddressLayout.withTargetLayout, System/Runtime.load*)",
            call -> {
                String owner = call.getTargetOwner().getName();
                String name = call.getName();
                return owner.equals(Linker.class.getName())
                                && Set.of("nativeLinker", "downcallHandle", "upcallStub")
                                        .contains(name)
                        || owner.equals(SymbolLookup.class.getName()) && name.equals("libraryLookup")
                        || owner.equals(MemorySegment.class.getName()) && name.equals("reinterpret")
                        || owner.equals(AddressLayout.class.getName()) && name.equals("withTargetLayout")
                        || (owner.equals(System.class.getName()) || owner.equals(Runtime.class.getName()))
                                && Set.of("load", "loadLibrary").contains(name)
                        || owner.equals(ModuleLayer.Controller.class.getName()) && name.equals("enableNativeAccess");
            });

    static final ArchRule KVM_NATIVE_STANDS_ALONE = noClasses()
            .that()
            .resideInAnyPackage(KVM_NATIVE_KVM, KVM_NATIVE_LINUX)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(DEVICES, QMP, CORE)
            .because("kvm-native is the FFM layer under everything: Linux and KVM only");

    static final ArchRule DEVICES_ARE_FREE_OF_KVM = noClasses()
            .that()
            .resideInAPackage(DEVICES)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(KVM_NATIVE_KVM, KVM_NATIVE_LINUX, QMP, CORE)
            .because("a device sees guest memory, its bus and its interrupt line, never KVM, the host or the VMM"
                    + " (docs/DESIGN.md), so it is unit-tested on fake memory");

    static final ArchRule QMP_KNOWS_NO_VM = noClasses()
            .that()
            .resideInAPackage(QMP)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(KVM_NATIVE_KVM, KVM_NATIVE_LINUX, DEVICES, CORE)
            .because("qmp-netty is a generic QMP server: core registers the commands");

    static final ArchRule NATIVE_CALLS_ONLY_IN_KVM_NATIVE = noClasses()
            .that()
            .resideOutsideOfPackages(KVM_NATIVE_KVM, KVM_NATIVE_LINUX)
            .should()
            .callMethodWhere(RESTRICTED)
            .because("every restricted FFM call is in kvm-native, the one module that needs native access");

    static final ArchRule NOTHING_USES_BENCH = noClasses()
            .that()
            .resideOutsideOfPackage(BENCH)
            .should()
            .dependOnClassesThat()
            .resideInAPackage(BENCH)
            .because("bench measures the modules from above; what they need at run time is theirs");

    /**
     * Core's packages (config, boot, machine, vcpu, ...) form no cycle, so each can be read, tested and changed
     * knowing only the ones below it. The root package, the composition root, is left out: it uses them all,
     * and metrics and snapshot read {@code Version} from it.
     */
    static final ArchRule CORE_PACKAGES_FORM_NO_CYCLE = slices().matching("io.jstrato.vmm.(*)..")
            .namingSlices("io.jstrato.vmm.$1")
            .should()
            .beFreeOfCycles()
            .because("a cycle between core's packages means neither can be understood or tested without the other");

    @Test
    void kvmNativeDependsOnNoOtherModule() {
        KVM_NATIVE_STANDS_ALONE.check(PRODUCTION_CLASSES);
    }

    @Test
    void devicesDoNotReachForKvmTheHostOrTheVmm() {
        DEVICES_ARE_FREE_OF_KVM.check(PRODUCTION_CLASSES);
    }

    @Test
    void qmpNettyKnowsNoVm() {
        QMP_KNOWS_NO_VM.check(PRODUCTION_CLASSES);
    }

    @Test
    void restrictedNativeCallsAreOnlyInKvmNative() {
        NATIVE_CALLS_ONLY_IN_KVM_NATIVE.check(PRODUCTION_CLASSES);
    }

    @Test
    void noModuleUsesBench() {
        NOTHING_USES_BENCH.check(PRODUCTION_CLASSES);
    }

    @Test
    void coresPackagesFormNoCycle() {
        CORE_PACKAGES_FORM_NO_CYCLE.check(PRODUCTION_CLASSES);
    }

    @Test
    void theImportSawEveryModule() {
        for (String module : new String[] {
            "io.jstrato.kvm", "io.jstrato.linux", "io.jstrato.devices", "io.jstrato.qmp", "io.jstrato.vmm"
        }) {
            assertTrue(PRODUCTION_CLASSES.containPackage(module), module + " was not imported");
        }
        assertFalse(PRODUCTION_CLASSES.contain(DeviceReachingForKvm.class), "test classes stay out of the import");
        assertFalse(PRODUCTION_CLASSES.contain(CoreReachingForBench.class), "test classes stay out of the import");
    }

    /** The rules bite: a made-up device that reaches for KVM and makes a restricted call fails two of them. */
    @Test
    void theRulesFailOnADeviceThatBreaksThem() {
        JavaClasses wrong = new ClassFileImporter().importClasses(DeviceReachingForKvm.class);
        AssertionError arrow = assertThrows(AssertionError.class, () -> DEVICES_ARE_FREE_OF_KVM.check(wrong));
        assertTrue(arrow.getMessage().contains("io.jstrato.kvm.Kvm"), arrow.getMessage());
        AssertionError call = assertThrows(AssertionError.class, () -> NATIVE_CALLS_ONLY_IN_KVM_NATIVE.check(wrong));
        assertTrue(call.getMessage().contains("reinterpret"), call.getMessage());
    }

    /** The module rules bite too: kvm-native or qmp-netty code that knows the VMM fails its rule. */
    @Test
    void theModuleRulesFailOnClassesThatKnowTheVmm() {
        assertFailsNaming(KVM_NATIVE_STANDS_ALONE, KvmReachingForTheVmm.class, "io.jstrato.vmm.lifecycle.RunState");
        assertFailsNaming(QMP_KNOWS_NO_VM, QmpReachingForTheVmm.class, "io.jstrato.vmm.lifecycle.RunState");
    }

    /** A core class that uses bench fails that rule, and two core packages that use each other fail the cycle rule. */
    @Test
    void theBenchAndCycleRulesFailOnCoreClassesThatBreakThem() {
        assertFailsNaming(NOTHING_USES_BENCH, CoreReachingForBench.class, "io.jstrato.bench.archfixture.BenchHelper");
        JavaClasses cycle = new ClassFileImporter().importClasses(CoreReachingForBench.class, CyclePeer.class);
        AssertionError error = assertThrows(AssertionError.class, () -> CORE_PACKAGES_FORM_NO_CYCLE.check(cycle));
        assertTrue(error.getMessage().contains("Cycle detected: io.jstrato.vmm.archfixture"), error.getMessage());
        assertTrue(error.getMessage().contains("CyclePeer.back()"), error.getMessage());
    }

    private static void assertFailsNaming(ArchRule rule, Class<?> wrong, String named) {
        JavaClasses classes = new ClassFileImporter().importClasses(wrong);
        AssertionError error = assertThrows(AssertionError.class, () -> rule.check(classes));
        assertTrue(error.getMessage().contains(named), error.getMessage());
    }
}
