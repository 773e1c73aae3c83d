package io.jstrato.vmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuMicrovmTest {

    @Test
    void commandLineBootsThePvhElfWithModernVirtioMmioAndOneDevicePerDrive() {
        var config = new QemuMicrovm.Config(
                        Path.of("/g/blk.elf"),
                        "console=ttyS0 blk.slot=1",
                        List.of(),
                        List.of(),
                        Path.of("/tmp/q.sock"),
                        64,
                        QemuMicrovm.Accel.TCG,
                        List.of())
                .withDrives(
                        new QemuMicrovm.Drive(Path.of("/i/a.img"), false, "sn0"),
                        new QemuMicrovm.Drive(Path.of("/i/b.img"), true, null));
        assertEquals(
                List.of(
                        QemuMicrovm.QEMU,
                        "-M",
                        "microvm,x-option-roms=off,acpi=off,rtc=off",
                        "-accel",
                        "tcg",
                        "-m",
                        "64",
                        "-nodefaults",
                        "-no-user-config",
                        "-nographic",
                        "-serial",
                        "stdio",
                        "-no-reboot",
                        "-global",
                        "virtio-mmio.force-legacy=false",
                        "-drive",
                        "id=d0,file=/i/a.img,format=raw,if=none",
                        "-device",
                        "virtio-blk-device,drive=d0,serial=sn0",
                        "-drive",
                        "id=d1,file=/i/b.img,format=raw,if=none,readonly=on",
                        "-device",
                        "virtio-blk-device,drive=d1",
                        "-qmp",
                        "unix:/tmp/q.sock,server=on,wait=off",
                        "-kernel",
                        "/g/blk.elf",
                        "-append",
                        "console=ttyS0 blk.slot=1"),
                config.commandLine());
    }

    @Test
    void kvmAccelerationMasksArchCapabilitiesForNestedHosts() {
        var config = new QemuMicrovm.Config(
                Path.of("/g/hello.elf"), null, List.of(), List.of(), null, 128, QemuMicrovm.Accel.KVM, List.of());
        List<String> cmd = config.commandLine();
        int accel = cmd.indexOf("-accel");
        assertEquals(List.of("-accel", "kvm", "-cpu", "host,-arch-capabilities"), cmd.subList(accel, accel + 4));
        assertEquals("", cmd.getLast());
    }

    @Test
    void nicsAreTapsAndTheLauncherPrefixesQemu() {
        var config = QemuMicrovm.Config.of(Path.of("/g/net.elf"), "net.ip=10.0.0.2")
                .withAccel(QemuMicrovm.Accel.TCG)
                .withNics(new QemuMicrovm.Nic("tap7", "52:54:00:00:00:07"))
                .withLauncher("ip", "netns", "exec", "ns7");
        List<String> cmd = config.commandLine();
        assertEquals(List.of("ip", "netns", "exec", "ns7", QemuMicrovm.QEMU), cmd.subList(0, 5));
        int netdev = cmd.indexOf("-netdev");
        assertEquals(
                List.of(
                        "-netdev",
                        "tap,id=n0,ifname=tap7,script=no,downscript=no",
                        "-device",
                        "virtio-net-device,netdev=n0,mac=52:54:00:00:00:07"),
                cmd.subList(netdev, netdev + 4));
    }

    @Test
    void aCpuModelAndAVcpuCountComeBeforeTheMemorySize() {
        var config = QemuMicrovm.Config.of(Path.of("/g/smp.elf"), "smp.cpus=4")
                .withCpu("max")
                .withCpus(4);
        List<String> cmd = config.commandLine();
        int accel = cmd.indexOf("-accel");
        assertEquals(List.of("-accel", "tcg", "-cpu", "max", "-smp", "4", "-m", "128"), cmd.subList(accel, accel + 8));
    }

    @Test
    void configOfIsTcgWhateverKvmTheMachineHas() {
        // QEMU on /dev/kvm would run on kvm_pvm here; a test must ask for KVM (and carry the KVM tag) to get it.
        List<String> cmd = QemuMicrovm.Config.of(Path.of("/g/hello.elf"), "").commandLine();
        int accel = cmd.indexOf("-accel");
        assertEquals(List.of("-accel", "tcg", "-m"), cmd.subList(accel, accel + 3));
    }

    @Test
    void rejectsNonPositiveVcpuCounts() {
        assertThrows(
                IllegalArgumentException.class,
                () -> QemuMicrovm.Config.of(Path.of("/g/smp.elf"), "").withCpus(0));
    }

    @Test
    void rejectsNonPositiveMemory() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new QemuMicrovm.Config(
                        Path.of("/g/hello.elf"), "", List.of(), List.of(), null, 0, QemuMicrovm.Accel.TCG, List.of()));
    }
}
