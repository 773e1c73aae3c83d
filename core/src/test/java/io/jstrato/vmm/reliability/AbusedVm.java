package io.jstrato.vmm.reliability;

import io.jstrato.qmp.testing.QmpTestClient;
import io.jstrato.vmm.e2e.JstratoVm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A jstrato VM under abuse with the checks every reliability test makes of it: it is alive, a well-behaved
 * client is greeted and answered with the status it had at the start, and its memory stays bounded.
 */
final class AbusedVm implements AutoCloseable {
    static final Duration START = Duration.ofSeconds(120);
    private final JstratoVm vm;
    private final Path socket;
    private final VmmProcess process;
    private final String status;
    private final long startRss;
    private final int startFds;

    private AbusedVm(JstratoVm vm, Path socket) throws Exception {
        this.vm = vm;
        this.socket = socket;
        this.process = new VmmProcess(vm.pid());
        try (QmpTestClient qmp = QmpTestClient.await(socket, START)) {
            status = returnOf(qmp.execute("{\"execute\":\"query-status\"}"));
        }
        startRss = process.rss();
        startFds = process.openFds();
    }

    /** QEMU's empty machine: QMP and the lifecycle, no KVM. */
    static AbusedVm emptyMachine(Path dir) throws Exception {
        return start(List.of(), dir, List.of("-machine", "none"));
    }

    /** The {@code counter} guest, printing "counter N" on the serial console. */
    static AbusedVm counterGuest(Path dir) throws Exception {
        return counterGuestIn(List.of(), dir);
    }

    /** The {@code counter} guest run under {@code prefix}, e.g. {@code ip netns exec NS}. */
    static AbusedVm counterGuestIn(List<String> prefix, Path dir) throws Exception {
        return start(prefix, dir, List.of("-kernel", JstratoVm.guest("counter").toString(), "-serial", "stdio"));
    }

    private static AbusedVm start(List<String> prefix, Path dir, List<String> machine) throws Exception {
        Path socket = dir.resolve("qmp.sock");
        List<String> args = new ArrayList<>(machine);
        args.addAll(List.of("-qmp", "unix:" + socket + ",server,nowait"));
        JstratoVm vm = JstratoVm.startIn(prefix, args.toArray(String[]::new));
        try {
            return new AbusedVm(vm, socket);
        } catch (Exception | Error e) {
            vm.close();
            throw e;
        }
    }

    private static String returnOf(String reply) {
        if (!reply.startsWith("{\"return\":") || !reply.endsWith("}")) {
            throw new AssertionError("query-status failed: " + reply);
        }
        return reply.substring("{\"return\":".length(), reply.length() - 1);
    }

    Path socket() {
        return socket;
    }

    JstratoVm vm() {
        return vm;
    }

    VmmProcess process() {
        return process;
    }

    /** The {@code return} of query-status at the start, as JSON. */
    String status() {
        return status;
    }

    long startRss() {
        return startRss;
    }

    int startFds() {
        return startFds;
    }

    /** The VMM lives, and a new client is greeted and told the status of the start. */
    void assertHealthy(String when) throws Exception {
        if (!process.alive()) {
            throw new AssertionError("the VMM exited " + when + "; log: " + vm.log());
        }
        try (QmpTestClient qmp = QmpTestClient.await(socket, START)) { // which fails unless greeted
            String now = returnOf(qmp.execute("{\"execute\":\"query-status\"}"));
            if (!now.equals(status)) {
                throw new AssertionError("status " + when + " is " + now + ", was " + status);
            }
        }
    }

    void assertRssBounded(String what) {
        process.assertRssBounded(startRss, what);
    }

    @Override
    public void close() {
        vm.close();
    }
}
