package io.jstrato.qmp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A QMP server on one or more Unix domain sockets. It knows no VM: the caller registers the commands in a
 * {@link QmpCommandRegistry} and emits events through {@link QmpEvents}.
 *
 * <p>The event loop group is the caller's (an epoll {@code MultiThreadIoEventLoopGroup}, shared with device
 * I/O); the server never shuts it down. {@link #bind} and {@link #close} block and must not be called from
 * an event loop; {@link #closeGracefully} does not block.
 */
public final class QmpServer implements AutoCloseable {
    private static final long CLOSE_WAIT_SECONDS = 10;
    /** sun_path holds 108 bytes with the terminating NUL. */
    private static final int MAX_SOCKET_PATH = 107;
    /** What the staging name adds to the directory's path: "/.q", up to 4 letters, "/s". */
    private static final int STAGING_EXTRA = 9;

    private final EventLoopGroup group;
    private final QmpConnectionTracker tracker;
    private final QmpChannelInitializer initializer;
    private final QmpLimits limits;
    private final QmpGreeting greeting;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private CompletableFuture<Void> closing;

    private record Listener(Path path, Channel channel, Object fileKey) {}

    /** A server with {@link QmpLimits#DEFAULT}. */
    public QmpServer(
            EventLoopGroup group,
            QmpCommandRegistry registry,
            QmpEvents events,
            QmpGreeting greeting,
            QmpObserver observer) {
        this(group, registry, events, greeting, observer, QmpLimits.DEFAULT);
    }

    public QmpServer(
            EventLoopGroup group,
            QmpCommandRegistry registry,
            QmpEvents events,
            QmpGreeting greeting,
            QmpObserver observer,
            QmpLimits limits) {
        this.group = Objects.requireNonNull(group, "group");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.greeting = Objects.requireNonNull(greeting, "greeting");
        this.tracker = new QmpConnectionTracker(limits.maxClients());
        ObjectMapper mapper = QmpJson.newMapper();
        this.initializer = new QmpChannelInitializer(
                mapper,
                Objects.requireNonNull(events, "events"),
                Objects.requireNonNull(registry, "registry"),
                observer == null ? QmpObserver.NONE : observer,
                limits);
    }

    /** Listens on {@code socket} with the server's greeting: {@link #bind(Path, QmpGreeting)}. */
    public void bind(Path socket) throws QmpBindException {
        bind(socket, greeting);
    }

    /**
     * Listens on {@code socket}, greeting its clients with {@code socketGreeting} (StratoVirt greets its 0.x
     * {@code -api-channel} and 2.x {@code -qmp} sockets with different QEMU versions): created with mode 0600, removed again by {@link #close}. A socket file
     * nobody listens on (left by a crash) is replaced; a socket another process listens on, or any file
     * that is not a socket, is refused and left untouched.
     *
     * @throws QmpBindException with one sentence naming the path
     */
    public synchronized void bind(Path socket, QmpGreeting socketGreeting) throws QmpBindException {
        Objects.requireNonNull(socketGreeting, "socketGreeting");
        if (closing != null) {
            throw new IllegalStateException("the QMP server is closed");
        }
        Path path = socket.toAbsolutePath();
        if (path.getParent().toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH - STAGING_EXTRA) {
            throw new QmpBindException("Cannot listen on QMP socket " + path + ": its directory's path is longer than "
                    + (MAX_SOCKET_PATH - STAGING_EXTRA) + " bytes, which a Unix socket's path leaves room for");
        }
        removeStaleSocket(path);
        // The socket is bound in a private staging directory, given mode 0600 there, and only then linked
        // to its public name: no client ever sees it with the umask's mode, and link(2), unlike rename(2),
        // never replaces a file that appeared meanwhile. Netty unlinks the path it bound when the listener
        // closes; that is the staging name, so a file that later takes the public name is never touched.
        Path staging = null;
        Path bound = null;
        Channel listener = null;
        try {
            staging = createStagingDirectory(path.getParent());
            bound = staging.resolve("s");
            ChannelFuture bindFuture = new ServerBootstrap()
                    .group(group)
                    .channelFactory(EpollServerDomainSocketChannel::new)
                    .handler(tracker)
                    // A script that pipes commands into `ncat -U` half-closes after its last line: keep the
                    // connection to answer what it sent (QmpDispatcher closes once the input is answered).
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    // Past the high mark the channel is not writable, and QmpDispatcher stops reading it.
                    .childOption(
                            ChannelOption.WRITE_BUFFER_WATER_MARK,
                            new WriteBufferWaterMark(QmpLimits.LOW_WATER_BYTES, QmpLimits.HIGH_WATER_BYTES))
                    .childAttr(QmpChannelInitializer.GREETING, socketGreeting)
                    .childHandler(initializer)
                    .bind(new DomainSocketAddress(bound.toString()))
                    .awaitUninterruptibly();
            if (!bindFuture.isSuccess()) {
                throw new QmpBindException(
                        "Cannot listen on QMP socket " + path + ": " + reason(bindFuture.cause()), bindFuture.cause());
            }
            listener = bindFuture.channel();
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
            Files.createLink(path, bound);
            Object fileKey = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
            listeners.add(new Listener(path, listener, fileKey));
            listener = null;
        } catch (FileAlreadyExistsException e) {
            throw new QmpBindException(
                    "Refusing to use " + path + " as a QMP socket: another process created"
                            + " it while this one was starting",
                    e);
        } catch (IOException e) {
            if (e instanceof QmpBindException bindFailure) {
                throw bindFailure;
            }
            throw new QmpBindException("Cannot listen on QMP socket " + path + ": " + reason(e), e);
        } finally {
            if (listener != null) {
                listener.close().awaitUninterruptibly();
            }
            deleteQuietly(bound);
            deleteQuietly(staging);
        }
    }

    /**
     * A private directory beside the socket, named as shortly as can be: the staging path is the one bound,
     * and a Unix socket's path has room for 107 bytes. ".q", 4 letters, then "/s" add 9 bytes to the
     * directory's path, no more than "/qmp.sock" does (createTempDirectory's names added ~28, and legal socket
     * paths near the limit, Kata's among them, failed as too long).
     */
    private static Path createStagingDirectory(Path parent) throws IOException {
        var mode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
        for (int attempt = 0; ; attempt++) {
            // Not a secret: a name someone else took first only costs another try (the directory is ours, 0700).
            String name = ".q" + Long.toString(ThreadLocalRandom.current().nextLong(36 * 36 * 36 * 36), 36);
            try {
                return Files.createDirectory(parent.resolve(name), mode);
            } catch (FileAlreadyExistsException taken) {
                if (attempt == 100) {
                    throw taken;
                }
            }
        }
    }

    private static void deleteQuietly(Path path) {
        if (path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // a leftover in a private directory; nothing depends on it
            }
        }
    }

    /** The sockets this server listens on. */
    public List<Path> sockets() {
        List<Path> paths = new ArrayList<>();
        for (Listener listener : listeners) {
            paths.add(listener.path());
        }
        return paths;
    }

    /**
     * Stops listening, lets each connection's command in flight write its reply, flushes everything queued
     * (events included) to every client, closes the connections and removes the socket files. The future
     * completes when all of that is done. Idempotent.
     */
    public synchronized CompletableFuture<Void> closeGracefully() {
        if (closing != null) {
            return closing;
        }
        List<CompletableFuture<Void>> listenersClosed = new ArrayList<>();
        for (Listener listener : listeners) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            listener.channel().close().addListener(f -> done.complete(null));
            listenersClosed.add(done);
        }
        // Once no listener accepts any more, the set of connections is final.
        closing = CompletableFuture.allOf(listenersClosed.toArray(CompletableFuture[]::new))
                .thenCompose(ignored -> closeConnections())
                .whenComplete((ignored, failure) -> removeSocketFiles());
        return closing;
    }

    /** {@link #closeGracefully()} and wait for it, at most 10 s (a command that never completes). */
    @Override
    public void close() {
        try {
            closeGracefully().get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Best effort: the socket files are still removed below.
            removeSocketFiles();
        }
    }

    /** The limits each client is held to. */
    public QmpLimits limits() {
        return limits;
    }

    /** Connections open now, refused ones still closing included. */
    int connectionCount() {
        return tracker.connections().size();
    }

    /** Bytes queued by the server and not yet taken by the kernel, over all connections (for tests). */
    long pendingOutboundBytes() {
        long total = 0;
        for (Channel connection : tracker.connections()) {
            var buffer = connection.unsafe().outboundBuffer();
            total += buffer == null ? 0 : buffer.totalPendingWriteBytes();
        }
        return total;
    }

    private CompletableFuture<Void> closeConnections() {
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        for (Channel connection : tracker.connections()) {
            QmpDispatcher dispatcher = connection.pipeline().get(QmpDispatcher.class);
            if (dispatcher == null) {
                // Accepted but not yet initialised: it has been sent nothing, so nothing to flush.
                CompletableFuture<Void> done = new CompletableFuture<>();
                connection.close().addListener(f -> done.complete(null));
                closed.add(done);
            } else {
                closed.add(dispatcher.closeGracefully());
            }
        }
        return CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new));
    }

    private void removeSocketFiles() {
        for (Listener listener : listeners) {
            try {
                // Only remove what is still ours: the user may have replaced it meanwhile.
                Object now = Files.readAttributes(listener.path(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .fileKey();
                if (Objects.equals(now, listener.fileKey())) {
                    Files.deleteIfExists(listener.path());
                }
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    private static void removeStaleSocket(Path path) throws QmpBindException {
        try {
            UnixSocketPaths.clearStale(path, "QMP socket");
        } catch (IOException e) {
            throw new QmpBindException(e.getMessage(), e);
        }
    }

    private static String reason(Throwable cause) {
        return UnixSocketPaths.reason(cause);
    }
}
