package io.jstrato.vmm.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Native access in the jar users run. The runnable jar is one unnamed module, and the manifest's
 * {@code Enable-Native-Access} takes only {@code ALL-UNNAMED}, so the JVM grants native access to every class in
 * it, the shaded dependencies included. ArchitectureTest keeps jstrato's own restricted calls in kvm-native; this
 * checks the shaded jar itself, every dependency's classes included: only kvm-native (FFM) and Netty (its epoll
 * JNI library, loaded through System.load) use native access, and only Netty declares JNI methods. A dependency
 * that brings native code of its own fails the build instead of being granted access silently.
 */
class ShippedJarNativeAccessIT {
    private static final Path JAR = Path.of(System.getProperty("jstrato.jar"));
    private static final String KVM_NATIVE_KVM = "io.jstrato.kvm..";
    private static final String KVM_NATIVE_LINUX = "io.jstrato.linux..";
    private static final String NETTY = "io.netty..";

    private static JavaClasses shipped;

    @BeforeAll
    static void importTheShippedJar() throws Exception {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            shipped = new ClassFileImporter().importJar(jar);
        }
    }

    private static ArchRule restrictedCallsOnlyIn(String... packages) {
        return noClasses()
                .that()
                .resideOutsideOfPackages(packages)
                .should()
                .callMethodWhere(ArchitectureTest.RESTRICTED)
                .because("the jar's one grant of native access must cover only code that was meant to have it");
    }

    private static ArchRule jniMethodsOnlyIn(String... packages) {
        return noMethods()
                .that()
                .areDeclaredInClassesThat()
                .resideOutsideOfPackages(packages)
                .should()
                .haveModifier(JavaModifier.NATIVE)
                .because("jstrato reaches native code through FFM in kvm-native, never through JNI of its own");
    }

    @Test
    void theManifestGrantsNativeAccessToTheJarAsAWhole() throws Exception {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertEquals("ALL-UNNAMED", jar.getManifest().getMainAttributes().getValue("Enable-Native-Access"));
        }
    }

    @Test
    void onlyKvmNativeAndNettyMakeRestrictedCalls() {
        restrictedCallsOnlyIn(KVM_NATIVE_KVM, KVM_NATIVE_LINUX, NETTY).check(shipped);
    }

    @Test
    void onlyNettyDeclaresJniMethods() {
        jniMethodsOnlyIn(NETTY).check(shipped);
    }

    /** The import holds the dependencies, not only jstrato: without Netty's grant both rules fail, naming Netty. */
    @Test
    void theRulesSeeTheDependenciesNativeCode() {
        assertTrue(shipped.containPackage("io.jstrato.kvm"), "kvm-native is in the jar");
        AssertionError calls = assertThrows(
                AssertionError.class,
                () -> restrictedCallsOnlyIn(KVM_NATIVE_KVM, KVM_NATIVE_LINUX).check(shipped));
        assertTrue(calls.getMessage().contains("io.netty."), calls.getMessage());
        AssertionError jni = assertThrows(
                AssertionError.class, () -> jniMethodsOnlyIn(KVM_NATIVE_KVM).check(shipped));
        assertTrue(jni.getMessage().contains("io.netty.channel.epoll.Native"), jni.getMessage());
    }
}
