package io.jstrato.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LinuxExceptionTest {

    @Test
    void messageNamesCallRequestAndErrno() {
        LinuxException e = new LinuxException("ioctl", "KVM_CREATE_VM", Errno.ENOMEM);
        assertEquals("ioctl(KVM_CREATE_VM): ENOMEM (Cannot allocate memory)", e.getMessage());
        assertEquals("ioctl", e.call());
        assertEquals("KVM_CREATE_VM", e.request());
        assertEquals(12, e.errno());
        assertEquals("ENOMEM", e.errnoName());
    }

    @Test
    void unknownErrnoStillGetsAName() {
        assertEquals("errno 4000", Errno.name(4000));
        assertEquals("EOPNOTSUPP", Errno.name(95));
        assertEquals("EHWPOISON", Errno.name(133));
    }

    @Test
    void aRealFailureCarriesTheRealErrno() {
        Path missing = Path.of("/nonexistent-jstrato/disk.img");
        LinuxException e = assertThrows(LinuxException.class, () -> RawFile.open(missing, true, false));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("open(/nonexistent-jstrato/disk.img): ENOENT (No such file or directory)", e.getMessage());
    }

    @Test
    void errnoIsPerCallNotStale() {
        // A failure, then a success, then a different failure: each reports its own errno.
        assertThrows(LinuxException.class, () -> RawFile.open(Path.of("/nonexistent-jstrato"), true, false));
        try (EventFd ok = EventFd.create(true)) {
            assertTrue(ok.fd() >= 0);
        }
        LinuxException e = assertThrows(LinuxException.class, () -> Libc.check(Libc.close(-1), "close", "-1"));
        assertEquals(Errno.EBADF, e.errno());
    }
}
