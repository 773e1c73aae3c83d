package io.jstrato.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.Prerequisite;
import io.jstrato.kvm.testing.Requires;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Raw mode on the slave side of a pseudo-terminal from /dev/ptmx. */
@Requires(Prerequisite.PTY)
class TerminalTest {
    private static final int O_RDWR = 2;
    private static final int O_NOCTTY = 0x100;
    private static final int O_CLOEXEC = 0x80000;
    private static final int ICANON = 0x2;
    private static final int ECHO = 0x8;
    private static final int ISIG = 0x1;

    private int master = -1;
    private int slave = -1;

    @BeforeEach
    void openPty() {
        master = Libc.posixOpenpt(O_RDWR | O_NOCTTY);
        Libc.check(master, "posix_openpt", null);
        Libc.check(Libc.grantpt(master), "grantpt", null);
        Libc.check(Libc.unlockpt(master), "unlockpt", null);
        String path = Libc.ptsname(master);
        slave = Libc.check(Libc.open(path, O_RDWR | O_NOCTTY | O_CLOEXEC, 0), "open", path);
    }

    @AfterEach
    void closePty() {
        if (slave >= 0) {
            Libc.close(slave);
        }
        if (master >= 0) {
            Libc.close(master);
        }
    }

    @Test
    void rawModeAndBack() {
        int cooked = lflag(slave);
        assertTrue((cooked & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG), "a new pty starts cooked");
        Optional<Terminal> raw = Terminal.rawIfTty(slave);
        assertTrue(raw.isPresent());
        assertEquals(0, lflag(slave) & (ICANON | ECHO | ISIG), "raw: no line editing, echo or signals");
        raw.get().restore();
        assertEquals(cooked, lflag(slave));
        raw.get().restore(); // idempotent
        assertEquals(cooked, lflag(slave));
    }

    @Test
    void notATerminalIsLeftAlone() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            Libc.check(Libc.pipe2(fds, O_CLOEXEC), "pipe2", null);
            assertTrue(Terminal.rawIfTty(fds.getAtIndex(JAVA_INT, 0)).isEmpty());
            Libc.close(fds.getAtIndex(JAVA_INT, 0));
            Libc.close(fds.getAtIndex(JAVA_INT, 1));
        }
    }

    private static int lflag(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment t = arena.allocate(Terminal.TERMIOS_SIZE, 8);
            Libc.check(Libc.tcgetattr(fd, t), "tcgetattr", null);
            return t.get(JAVA_INT, Terminal.C_LFLAG);
        }
    }
}
