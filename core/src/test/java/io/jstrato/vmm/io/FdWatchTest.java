package io.jstrato.vmm.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.FileDescriptor;
import java.nio.ByteBuffer;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FdWatchTest {
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());

    @AfterEach
    void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void callsBackOnTheEventLoopWhenTheFdIsReadableAndStopsWhenAsked() throws Exception {
        FileDescriptor[] pipe = FileDescriptor.pipe();
        IoEventLoop loop = group.next();
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        ByteBuffer buf = ByteBuffer.allocateDirect(64);
        FdWatch watch = FdWatch.watch(loop, pipe[0].intValue(), "test-pipe", () -> {
                    try {
                        buf.clear();
                        int n = pipe[0].read(buf, 0, buf.capacity());
                        byte[] b = new byte[n];
                        buf.get(0, b);
                        got.add((loop.inEventLoop() ? "loop:" : "other:") + new String(b));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .get(5, TimeUnit.SECONDS);

        write(pipe[1], "one");
        assertEquals("loop:one", got.poll(5, TimeUnit.SECONDS));

        watch.setReadInterest(false);
        // A marker task queued after the change proves it took effect before the next write.
        loop.submit(() -> {}).get(5, TimeUnit.SECONDS);
        write(pipe[1], "two");
        loop.submit(() -> {}).get(5, TimeUnit.SECONDS);
        assertTrue(got.isEmpty(), "no callback while not interested");

        watch.setReadInterest(true);
        assertEquals("loop:two", got.poll(5, TimeUnit.SECONDS));

        watch.close();
        pipe[0].close();
        pipe[1].close();
    }

    private static void write(FileDescriptor fd, String s) throws Exception {
        ByteBuf b = Unpooled.directBuffer().writeBytes(s.getBytes());
        fd.write(b.nioBuffer(), 0, b.readableBytes());
        b.release();
    }
}
