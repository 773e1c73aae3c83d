package io.jstrato.linux;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EpollTest {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;

    @Test
    void devNullAndRegularFilesCannotBeWatched(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("input"), "typed ahead\n");
        for (String path : new String[] {"/dev/null", file.toString(), dir.toString()}) {
            int fd = Libc.check(Libc.open(path, O_RDONLY | O_CLOEXEC, 0), "open", path);
            try {
                assertFalse(Epoll.canWatch(fd), path);
            } finally {
                Libc.close(fd);
            }
        }
    }

    @Test
    void eventfdsAndPipesCanBeWatchedEvenAfterTheWriterClosed() {
        try (EventFd e = EventFd.create(true)) {
            assertTrue(Epoll.canWatch(e.fd()));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            Libc.check(Libc.pipe2(fds, O_CLOEXEC), "pipe2", "");
            int reader = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            Libc.close(fds.getAtIndex(ValueLayout.JAVA_INT, 1));
            try {
                assertTrue(Epoll.canWatch(reader), "a pipe whose writer is gone still polls (as end of file)");
            } finally {
                Libc.close(reader);
            }
        }
    }
}
