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

/**
 * Every constant of {@link LibcFlags} (flags, struct sizes and offsets) and of {@link Errno} against this
 * machine's glibc headers, through gcc: none may drift.
 */
class LibcFlagsTest {
    @Test
    void everyConstantMatchesTheInstalledHeaders(@TempDir Path dir) throws Exception {
        assertMatches(LibcFlags.class, "libc_flags.c", dir);
    }

    @Test
    void everyErrnoMatchesTheInstalledHeaders(@TempDir Path dir) throws Exception {
        assertMatches(Errno.class, "errno_values.c", dir);
    }

    private static void assertMatches(Class<?> constants, String source, Path dir) throws Exception {
        Map<String, Long> fromHeaders = CHeaderValues.of(LibcFlagsTest.class, source, dir);
        Map<String, Long> ours = new TreeMap<>();
        for (Field f : constants.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                ours.put(f.getName(), (long) f.getInt(null));
            }
        }
        assertEquals(fromHeaders.keySet(), ours.keySet(), "every constant has its line in " + source + ", and no more");
        assertEquals(fromHeaders, ours);
    }
}
