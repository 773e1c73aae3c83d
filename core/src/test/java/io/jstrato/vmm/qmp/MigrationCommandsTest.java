package io.jstrato.vmm.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jstrato.qmp.QmpCommandRegistry;
import io.jstrato.qmp.QmpEvents;
import io.jstrato.qmp.QmpException;
import io.jstrato.vmm.lifecycle.Lifecycle;
import io.jstrato.vmm.lifecycle.RunState;
import io.jstrato.vmm.lifecycle.VcpuControl;
import io.jstrato.vmm.snapshot.MachineSnapshots;
import io.jstrato.vmm.snapshot.Migration;
import io.jstrato.vmm.snapshot.SnapshotException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** migrate, query-migrate and the events capability over a real lifecycle, with the save itself made up. */
class MigrationCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Lifecycle lifecycle = new Lifecycle(new VcpuControl() {
        @Override
        public void startParked() {}

        @Override
        public void pauseAll() {}

        @Override
        public void resumeAll() {}

        @Override
        public void finishAll() {}
    });
    private final QmpCommandRegistry registry = new QmpCommandRegistry();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile Path savedTo;

    @AfterEach
    void close() {
        release.countDown();
        lifecycle.close();
    }

    private Migration migration(Function<Path, MachineSnapshots.Saved> save) {
        Migration m = new Migration(lifecycle, new QmpEvents(), save);
        MigrationCommands.register(registry, m, lifecycle::state);
        return m;
    }

    private JsonNode run(String name, String arguments) throws Exception {
        ObjectNode args = (ObjectNode) JSON.readTree(arguments);
        return registry.find(name).execute(args, null).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private String refusal(String name, String arguments) {
        QmpException e = assertThrows(QmpException.class, () -> run(name, arguments));
        return e.desc();
    }

    @Test
    void aSaveIsReportedFromSetupToCompleted() throws Exception {
        migration(dir -> {
            savedTo = dir;
            return new MachineSnapshots.Saved(100, 4096, 1 << 20);
        });
        assertEquals("{\"status\":\"none\"}", run("query-migrate", "{}").toString());
        assertEquals(
                "migrate: the VM is prelaunch; only a running or paused VM can be saved",
                refusal("migrate", "{\"uri\":\"file:/tmp/x\"}"));
        lifecycle.boot(false).get(5, TimeUnit.SECONDS);
        assertEquals(
                "{}", run("migrate", "{\"uri\":\"file:/tmp/snap/../snap\"}").toString());
        awaitEnd(lifecycle);
        assertEquals(Path.of("/tmp/snap"), savedTo);
        assertEquals(RunState.POSTMIGRATE, lifecycle.state());
        JsonNode q = run("query-migrate", "{}");
        assertEquals("completed", q.get("status").asText());
        assertEquals(
                "{\"transferred\":4096,\"total\":1048576,\"remaining\":0}",
                q.get("ram").toString());
    }

    @Test
    void oneAtATimeAndOnlyToAFile() throws Exception {
        migration(dir -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new SnapshotException(dir + ": No space left on device");
        });
        lifecycle.boot(false).get(5, TimeUnit.SECONDS);
        assertEquals(
                "migrate: uri 'tcp:0:4444' is not supported; use file:DIR",
                refusal("migrate", "{\"uri\":\"tcp:0:4444\"}"));
        assertEquals("migrate: uri 'file:' is not supported; use file:DIR", refusal("migrate", "{\"uri\":\"file:\"}"));
        assertEquals(
                "migrate: blk, inc and resume are not supported (disks stay where they are)",
                refusal("migrate", "{\"uri\":\"file:/d\",\"blk\":true}"));
        run("migrate", "{\"uri\":\"file:/d\"}");
        assertEquals("There's a migration process in progress", refusal("migrate", "{\"uri\":\"file:/e\"}"));
        release.countDown();
        awaitEnd(lifecycle);
        JsonNode q = run("query-migrate", "{}");
        assertEquals("failed", q.get("status").asText());
        assertEquals("/d: No space left on device", q.get("error-desc").asText());
        assertEquals(RunState.RUNNING, lifecycle.state(), "a failed save runs the VM on");
    }

    @Test
    void eventsAreACapabilityOffByDefault() throws Exception {
        migration(dir -> null);
        assertEquals(
                "[{\"capability\":\"events\",\"state\":false}]",
                run("query-migrate-capabilities", "{}").toString());
        run(
                "migrate-set-capabilities",
                "{\"capabilities\":[{\"capability\":\"events\",\"state\":true},"
                        + "{\"capability\":\"xbzrle\",\"state\":false}]}");
        assertEquals(
                "[{\"capability\":\"events\",\"state\":true}]",
                run("query-migrate-capabilities", "{}").toString());
        assertEquals(
                "migrate-set-capabilities: capability 'xbzrle' is not supported (only 'events')",
                refusal("migrate-set-capabilities", "{\"capabilities\":[{\"capability\":\"xbzrle\",\"state\":true}]}"));
    }

    /**
     * The control thread runs one thing at a time, and a save's end is recorded on it as the save completes: a
     * no-op queued behind the save ends after that.
     */
    private static void awaitEnd(Lifecycle lifecycle) throws Exception {
        CompletableFuture<Void> behind = lifecycle.onControlThread(() -> null);
        behind.get(5, TimeUnit.SECONDS);
    }
}
