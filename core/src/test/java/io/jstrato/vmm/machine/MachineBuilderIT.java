package io.jstrato.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.Kvm;
import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.vmm.boot.BootException;
import io.jstrato.vmm.config.CommandLine;
import io.jstrato.vmm.config.Invocation;
import io.jstrato.vmm.config.VmConfig;
import io.jstrato.vmm.devices.OptionalDevices;
import io.jstrato.vmm.e2e.JstratoVm;
import io.jstrato.vmm.serial.NullSerial;
import io.jstrato.vmm.vcpu.GuestStopListener;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The machine builder on a real KVM: its phases run in order only, and a build that fails in a late phase, or a
 * machine that closes, leaves no VM, vCPU, irqfd, ioeventfd or guest RAM behind in the process.
 */
@RequiresKvm
class MachineBuilderIT {
    private static final GuestStopListener NO_STOPS = new GuestStopListener() {
        @Override
        public void guestShutdown(int vcpu) {}

        @Override
        public void vcpuFault(int vcpu) {}
    };
    private static MultiThreadIoEventLoopGroup loops;

    @TempDir
    Path dir;

    @BeforeAll
    static void startLoops() {
        loops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoops() {
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aKernelThatDoesNotLoadLeavesNothingOfTheHalfBuiltMachine() throws Exception {
        Path notAKernel = Files.writeString(dir.resolve("not-a-kernel"), "no ELF, no bzImage");
        VmConfig config = config(notAKernel);
        try (Kvm kvm = Kvm.open()) {
            Map<String, Integer> before = held();
            try (MachineBuilder builder = new MachineBuilder(config, kvm, NO_STOPS)) {
                builder.memory()
                        .irqchip()
                        .legacyDevices(new NullSerial())
                        .virtioDevices(loops, List.of(), OptionalDevices.NONE);
                Map<String, Integer> halfBuilt = held();
                assertEquals(
                        1,
                        halfBuilt.getOrDefault("kvm-vm", 0) - before.getOrDefault("kvm-vm", 0),
                        halfBuilt.toString());
                assertTrue(
                        halfBuilt.getOrDefault("guest RAM mapped", 0) > before.getOrDefault("guest RAM mapped", 0),
                        halfBuilt.toString());
                // One irqfd per slot and the UART's, one ioeventfd per queue: well over ten eventfds.
                assertTrue(
                        halfBuilt.getOrDefault("eventfd", 0) - before.getOrDefault("eventfd", 0) > 10,
                        halfBuilt.toString());
                BootException e = assertThrows(BootException.class, builder::loaders);
                assertEquals(notAKernel, e.file());
            }
            assertEquals(before, held(), "what the phases made before the kernel failed to load is closed");
        }
    }

    @Test
    void aBuiltMachineOwnsAndClosesEverything() throws Exception {
        VmConfig config = config(JstratoVm.GUESTS.resolve("counter.elf").toAbsolutePath());
        try (Kvm kvm = Kvm.open()) {
            Map<String, Integer> before = held();
            MicroVm vm;
            try (MachineBuilder builder = new MachineBuilder(config, kvm, NO_STOPS)) {
                vm = builder.memory()
                        .irqchip()
                        .legacyDevices(new NullSerial())
                        .virtioDevices(loops, List.of(), OptionalDevices.NONE)
                        .loaders()
                        .vcpus()
                        .build();
            }
            // The builder's close after build() closed nothing: the machine is whole.
            Map<String, Integer> built = held();
            assertEquals(2, built.getOrDefault("kvm-vcpu", 0) - before.getOrDefault("kvm-vcpu", 0), built.toString());
            assertEquals(2, vm.vcpus().count());
            assertNotEquals(before, built);
            vm.close();
            assertEquals(before, held());
        }
    }

    @Test
    void phasesRunInTheirOrderOnly() throws Exception {
        VmConfig config = config(JstratoVm.GUESTS.resolve("counter.elf").toAbsolutePath());
        try (Kvm kvm = Kvm.open();
                MachineBuilder builder = new MachineBuilder(config, kvm, NO_STOPS)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, builder::irqchip);
            assertEquals("machine phase IRQCHIP needs MEMORY first; the builder is at NEW", e.getMessage());
            builder.memory();
            assertThrows(IllegalStateException.class, builder::memory, "a phase runs once");
            assertThrows(IllegalStateException.class, builder::build);
        }
    }

    private VmConfig config(Path kernel) {
        Invocation.Run run = (Invocation.Run) CommandLine.parse(
                new String[] {"-machine", "microvm,mem-share=on", "-kernel", kernel.toString(), "-m", "128", "-smp", "2"
                },
                Map.of(),
                dir);
        return run.config();
    }

    /** What of a VM this process holds: its fds by kind, and the mappings of guest RAM (memfds, mem-share=on). */
    private static Map<String, Integer> held() throws IOException {
        Map<String, Integer> kinds = new TreeMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // the directory's own fd, gone once listed
                }
                String kind = target.startsWith("anon_inode:kvm-vcpu")
                        ? "kvm-vcpu"
                        : target.equals("anon_inode:kvm-vm")
                                ? "kvm-vm"
                                : target.equals("anon_inode:[eventfd]")
                                        ? "eventfd"
                                        : target.startsWith("/memfd:jstrato-ram") ? "guest RAM fd" : null;
                if (kind != null) {
                    kinds.merge(kind, 1, Integer::sum);
                }
            }
        }
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            int ram = (int) maps.filter(l -> l.contains("/memfd:jstrato-ram")).count();
            if (ram > 0) {
                kinds.put("guest RAM mapped", ram);
            }
        }
        return kinds;
    }
}
