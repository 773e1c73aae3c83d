package io.jstrato.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jstrato.kvm.testing.CHeaderValues;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every constant of {@link LibcFlags} against this machine's glibc headers, through gcc: none may drift. */
class LibcFlagsTest {
    @Test
    void everyConstantMatchesTheInstalledHeaders(@TempDir Path dir) throws Exception {
        Map<String, Long> fromHeaders = CHeaderValues.of(LibcFlagsTest.class, "libc_flags.c", dir);
        Map<String, Long> ours = new TreeMap<>();
        for (Field f : LibcFlags.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                ours.put(f.getName(), (long) f.getInt(null));
            }
        }
        assertEquals(fromHeaders.keySet(), ours.keySet(), "every constant has its line in libc_flags.c, and no more");
        assertEquals(fromHeaders, ours);
    }
}
