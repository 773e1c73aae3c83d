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

/** Every ioctl number and struct size of {@link VhostIoctls} against this machine's linux/vhost.h, through gcc. */
class VhostIoctlsTest {
    @Test
    void everyConstantMatchesTheInstalledHeader(@TempDir Path dir) throws Exception {
        Map<String, Long> fromHeader = CHeaderValues.of(VhostIoctlsTest.class, "vhost_values.c", dir);
        Map<String, Long> ours = new TreeMap<>();
        for (Field f : VhostIoctls.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())
                    && f.getType() == long.class
                    && !f.getName().equals("U64")
                    && !f.getName().equals("INT")) {
                f.setAccessible(true);
                ours.put(f.getName(), f.getLong(null));
            }
        }
        assertEquals(fromHeader.keySet(), ours.keySet(), "every constant has its line in vhost_values.c, and no more");
        assertEquals(fromHeader, ours);
    }
}
