package io.jstrato.linux;

import static io.jstrato.linux.LibcFlags.MAP_ANONYMOUS;
import static io.jstrato.linux.LibcFlags.MAP_PRIVATE;
import static io.jstrato.linux.LibcFlags.PROT_EXEC;
import static io.jstrato.linux.LibcFlags.PROT_READ;
import static io.jstrato.linux.LibcFlags.PROT_WRITE;
import static io.jstrato.linux.LibcFlags.SIGACTION_FLAGS_OFFSET;
import static io.jstrato.linux.LibcFlags.SIGACTION_MASK_OFFSET;
import static io.jstrato.linux.LibcFlags.SIGACTION_SIZE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Kicks a vCPU thread out of {@code KVM_RUN} (DESIGN.md "Lifecycle"). A real-time signal the JVM does not
 * use ({@link #SIGNAL}, SIGRTMIN+6) gets a native handler that only returns, installed without
 * {@code SA_RESTART}: a thread inside a blocking system call (KVM_RUN, read) gets EINTR, and the process
 * lives on. The handler is a one-byte {@code ret} on an executable page of its own, because the JVM owns
 * signal handling and a Java upcall must not run in a signal context.
 *
 * <p>Usage: {@code installNoopHandler()} once at start-up; to pause, set {@code immediate_exit} in the
 * vCPU's kvm_run, then {@code kick(tid)} (a kick that lands before KVM_RUN is entered is covered by
 * immediate_exit).
 */
public final class VcpuSignal {
    /** SIGRTMIN (34 with glibc/NPTL) + 6. */
    public static final int SIGNAL = 40;

    private static final int PAGE = 4096;
    private static final byte RET = (byte) 0xC3;

    private VcpuSignal() {}

    /** The handler page, made once per process on first use and never unmapped (the handler may run any time). */
    private static final class NoopHandler {
        static final MemorySegment CODE = makeRetStub();

        @SuppressWarnings("restricted") // sizing the page mmap returned
        private static MemorySegment makeRetStub() {
            MemorySegment page = Libc.mmap(
                    MemorySegment.NULL,
                    PAGE,
                    PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS,
                    -1,
                    0,
                    "signal handler page");
            // LIFETIME: process lifetime, deliberately: the kernel may jump here for as long as we live.
            MemorySegment code = page.reinterpret(PAGE);
            code.set(JAVA_BYTE, 0, RET);
            Libc.check(Libc.mprotect(code, PAGE, PROT_READ | PROT_EXEC), "mprotect", "signal handler page");
            return code;
        }
    }

    /** Installs the do-nothing handler for {@link #SIGNAL}; calling it again is harmless. */
    public static void installNoopHandler() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment act = arena.allocate(SIGACTION_SIZE, 8);
            act.set(JAVA_LONG, 0, NoopHandler.CODE.address());
            act.asSlice(SIGACTION_MASK_OFFSET, 128).fill((byte) 0);
            act.set(JAVA_INT, SIGACTION_FLAGS_OFFSET, 0); // no SA_RESTART: interrupted calls return EINTR
            Libc.check(Libc.sigaction(SIGNAL, act, MemorySegment.NULL), "sigaction", "SIGRTMIN+6");
        }
    }

    /** Sends {@link #SIGNAL} to thread {@code tid} of this process. */
    public static void kick(int tid) {
        Libc.check(Libc.tgkill(Libc.getpid(), tid, SIGNAL), "tgkill", "tid " + tid);
    }

    /** Whether the handler installed for {@link #SIGNAL} is ours. */
    public static boolean isNoopHandlerInstalled() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(SIGACTION_SIZE, 8);
            Libc.check(Libc.sigaction(SIGNAL, MemorySegment.NULL, old), "sigaction", "SIGRTMIN+6");
            return old.get(JAVA_LONG, 0) == NoopHandler.CODE.address();
        }
    }
}
