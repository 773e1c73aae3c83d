package io.jstrato.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jstrato.linux.Errno;
import io.jstrato.linux.LinuxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Where there is no /dev/kvm (this kind of machine), opening it is one clear error. */
class KvmWithoutDeviceTest {

    @Test
    void openingAMissingDeviceNamesTheDeviceAndErrno() {
        assumeTrue(!Files.exists(Path.of(Kvm.DEVICE)), "this machine has /dev/kvm");
        LinuxException e = assertThrows(LinuxException.class, Kvm::open);
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("open(/dev/kvm): ENOENT (No such file or directory)", e.getMessage());
    }
}
