package io.jstrato.linux;

import static io.jstrato.linux.LibcFlags.TCSANOW;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A terminal put in raw mode (what cfmakeraw(3) describes: bytes pass through unbuffered, no echo, no
 * signals from ^C) for a guest's serial console, and put back as it was by {@link #restore()}.
 */
public final class Terminal {
    // glibc's struct termios on x86_64: four tcflag_t, c_line, c_cc[32], then two speed_t: 60 bytes.
    static final int TERMIOS_SIZE = LibcFlags.TERMIOS_SIZE;
    static final int C_LFLAG = 12;

    private final int fd;
    private final MemorySegment saved;
    private boolean restored;

    private Terminal(int fd, MemorySegment saved) {
        this.fd = fd;
        this.saved = saved;
    }

    /** Raw mode on {@code fd} when it is a terminal; empty (and nothing changed) otherwise. */
    public static Optional<Terminal> rawIfTty(int fd) {
        if (!Libc.isatty(fd)) {
            return Optional.empty();
        }
        // LIFETIME: the saved settings must outlive the terminal's raw period; GC-managed memory does.
        MemorySegment saved = Arena.ofAuto().allocate(TERMIOS_SIZE, 8);
        Libc.check(Libc.tcgetattr(fd, saved), "tcgetattr", "fd " + fd);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment raw = arena.allocate(TERMIOS_SIZE, 8);
            MemorySegment.copy(saved, 0, raw, 0, TERMIOS_SIZE);
            Libc.cfmakeraw(raw);
            Libc.check(Libc.tcsetattr(fd, TCSANOW, raw), "tcsetattr", "fd " + fd);
        }
        return Optional.of(new Terminal(fd, saved));
    }

    public int fd() {
        return fd;
    }

    /** Puts the saved settings back; later calls do nothing. */
    public synchronized void restore() {
        if (restored) {
            return;
        }
        restored = true;
        Libc.check(Libc.tcsetattr(fd, TCSANOW, saved), "tcsetattr", "fd " + fd);
    }
}
