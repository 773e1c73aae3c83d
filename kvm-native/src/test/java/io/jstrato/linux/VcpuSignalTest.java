package io.jstrato.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The kick mechanism without KVM: a thread blocked in a system call (here read on an empty pipe, in place
 * of KVM_RUN) gets EINTR from the signal, and the JVM lives on.
 */
class VcpuSignalTest {

    @Test
    void kickInterruptsABlockedReadWithEintr() throws Exception {
        VcpuSignal.installNoopHandler();
        assertTrue(VcpuSignal.isNoopHandlerInstalled());
        try (Arena arena = Arena.ofShared()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            Libc.check(Libc.pipe2(fds, 0x80000), "pipe2", null);
            int readEnd = fds.getAtIndex(JAVA_INT, 0);
            int writeEnd = fds.getAtIndex(JAVA_INT, 1);
            MemorySegment buf = arena.allocate(8);
            CompletableFuture<Integer> tid = new CompletableFuture<>();
            CompletableFuture<Long> result = new CompletableFuture<>();
            Thread reader = Thread.ofPlatform().name("blocked-reader").start(() -> {
                tid.complete(Threads.gettid());
                result.complete(Libc.read(readEnd, buf.address(), 8)); // nothing is ever written
            });
            int readerTid = tid.get(10, TimeUnit.SECONDS);
            // A kick that lands before the thread is inside read() is lost (as for KVM_RUN, where
            // immediate_exit covers that case): kick again until the read returns.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!result.isDone() && System.nanoTime() < deadline) {
                VcpuSignal.kick(readerTid);
                try {
                    result.get(20, TimeUnit.MILLISECONDS);
                } catch (TimeoutException notYet) {
                    // kick again
                }
            }
            assertEquals(-Errno.EINTR, result.get(1, TimeUnit.SECONDS));
            reader.join(10_000);
            Libc.close(readEnd);
            Libc.close(writeEnd);
        }
        // The process survived the signal: this thread and the JVM still work.
        assertTrue(Threads.gettid() > 0);
    }

    @Test
    void kickOfAMissingThreadIsAnError() {
        VcpuSignal.installNoopHandler();
        LinuxException e = assertThrows(LinuxException.class, () -> VcpuSignal.kick(Integer.MAX_VALUE));
        assertEquals(Errno.ESRCH, e.errno());
    }

    @Test
    void threadIdsAreDistinctPerThread() throws Exception {
        int mine = Threads.gettid();
        int other = CompletableFuture.supplyAsync(Threads::gettid).get(10, TimeUnit.SECONDS);
        assertTrue(mine > 0 && other > 0);
        assertTrue(mine != other);
        assertEquals(ProcessHandle.current().pid(), Threads.getpid());
    }
}
