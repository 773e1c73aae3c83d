package io.jstrato.linux;

/** Thread identity as the kernel sees it. */
public final class Threads {
    private Threads() {}

    /** The kernel thread id of the calling thread (what {@link VcpuSignal#kick(int)} needs). */
    public static int gettid() {
        return Libc.gettid();
    }

    public static int getpid() {
        return Libc.getpid();
    }
}
