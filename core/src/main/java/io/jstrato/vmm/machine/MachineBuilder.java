package io.jstrato.vmm.machine;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.acpi.SleepRegisters;
import io.jstrato.devices.bus.Bus;
import io.jstrato.devices.legacy.BootTimer;
import io.jstrato.devices.legacy.I8042;
import io.jstrato.devices.legacy.PostCode;
import io.jstrato.devices.legacy.SystemControlPortB;
import io.jstrato.devices.legacy.Uart8250;
import io.jstrato.devices.virtio.net.MacAddress;
import io.jstrato.kvm.Kvm;
import io.jstrato.kvm.KvmIoctls;
import io.jstrato.kvm.VcpuFd;
import io.jstrato.kvm.VmFd;
import io.jstrato.linux.AnonymousMemory;
import io.jstrato.linux.EventFd;
import io.jstrato.linux.VcpuSignal;
import io.jstrato.vmm.acpi.AcpiTables;
import io.jstrato.vmm.acpi.Dsdt;
import io.jstrato.vmm.boot.BootCpuSetup;
import io.jstrato.vmm.boot.BootException;
import io.jstrato.vmm.boot.BootImage;
import io.jstrato.vmm.boot.KernelCommandLine;
import io.jstrato.vmm.boot.KernelLoader;
import io.jstrato.vmm.boot.MemoryLayout;
import io.jstrato.vmm.boot.MpTable;
import io.jstrato.vmm.boot.VirtioMmioSlot;
import io.jstrato.vmm.config.BootConfig;
import io.jstrato.vmm.config.VmConfig;
import io.jstrato.vmm.devices.OptionalDevices;
import io.jstrato.vmm.devices.VirtioPool;
import io.jstrato.vmm.metrics.ExitCounters;
import io.jstrato.vmm.serial.SerialBackend;
import io.jstrato.vmm.vcpu.GuestStopListener;
import io.jstrato.vmm.vcpu.KvmVcpu;
import io.jstrato.vmm.vcpu.VcpuEngine;
import io.jstrato.vmm.vcpu.VcpuFaultReport;
import io.jstrato.vmm.vcpu.VcpuThreads;
import io.netty.channel.IoEventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.logging.Logger;

/**
 * Builds the x86_64 microVM of MACHINE.md in its phases, each once and in this order:
 * <ol>
 *   <li>{@link #memory()}: the KVM VM and its guest RAM regions;</li>
 *   <li>{@link #irqchip()}: the capabilities the machine needs, the in-kernel IRQ chip and PIT;</li>
 *   <li>{@link #legacyDevices}: the UART, i8042, port 0x61, POST code, ACPI sleep registers and boot timer;</li>
 *   <li>{@link #virtioDevices}: the virtio-mmio pool (its slots go on the kernel command line and in ACPI);</li>
 *   <li>{@link #loaders()}: the kernel (and initrd), the MP table, the ACPI tables;</li>
 *   <li>{@link #vcpus()}: one configured vCPU per {@code -smp}, the boot vCPU at the kernel's entry;</li>
 * </ol>
 * then {@link #build()} hands everything to the {@link MicroVm}. Until then the builder owns what each phase made
 * (one close-on-failure stack): when a phase throws, {@link #close()} releases all of it, child-first and guest
 * RAM last, so a start-up that fails late (a kernel that does not load, a vhost device the host lacks) leaks no
 * RAM, fd or device. A builder is used from one thread.
 */
public final class MachineBuilder implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MachineBuilder.class.getName());

    static final int COM1_PORT = 0x3F8;
    static final int COM1_IRQ = 4;
    static final int I8042_DATA_PORT = 0x60;
    static final int SYSTEM_CONTROL_PORT_B = 0x61;
    static final int I8042_COMMAND_PORT = 0x64;
    static final int POST_CODE_PORT = 0x80;
    /** The FADT's sleep control (0x600) and status (0x601) registers; a free port range on this machine. */
    static final int ACPI_SLEEP_PORT = 0x600;

    private static final long BOOT_TIMER_SIZE = 0x1000;

    /** The phases in their order; each method checks that the previous one ran. */
    enum Phase {
        NEW,
        MEMORY,
        IRQCHIP,
        LEGACY_DEVICES,
        VIRTIO_DEVICES,
        LOADERS,
        VCPUS,
        BUILT
    }

    private final VmConfig config;
    private final BootConfig boot;
    private final Kvm kvm;
    private final GuestStopListener stops;
    private final Resources owned = new Resources();
    private final Bus pio = Bus.portIo();
    private final Bus mmio = Bus.mmio();
    private final BootClock bootClock = new BootClock();
    private Phase phase = Phase.NEW;

    private VmFd vm;
    private MemoryLayout layout;
    private GuestMemory memory;
    private Uart8250 uart;
    private I8042 i8042;
    private VirtioPool devices;
    private List<VirtioMmioSlot> virtioSlots;
    private BootImage bootImage;
    private final List<VcpuFd> vcpuFds = new ArrayList<>();
    private final List<ExitCounters> exitCounters = new ArrayList<>();
    private VcpuThreads vcpus;
    private VcpuFaultReport faultReport;

    /**
     * @param stops told of a guest reset or poweroff (from a device or a vCPU) and of a vCPU that cannot go on;
     *     the lifecycle, which exists before the machine
     */
    public MachineBuilder(VmConfig config, Kvm kvm, GuestStopListener stops) {
        this.config = config;
        this.boot = config.boot().orElseThrow(() -> new IllegalArgumentException("a microVM needs a kernel"));
        this.kvm = kvm;
        this.stops = stops;
    }

    /** Phase 1: guest RAM (one memfd per region with mem-share=on, for vhost-user backends) and the KVM VM. */
    public MachineBuilder memory() {
        advance(Phase.NEW, Phase.MEMORY);
        layout = new MemoryLayout(config.machine().memoryBytes());
        List<AnonymousMemory> ram = new ArrayList<>();
        int slot = 0;
        for (MemoryLayout.RamRegion r : layout.ramRegions()) {
            AnonymousMemory m = owned.own(
                    config.machine().memShare()
                            ? AnonymousMemory.mapMemfd(r.size(), "jstrato-ram-" + slot)
                            : AnonymousMemory.map(r.size()));
            if (!config.machine().dumpGuestCore()) {
                m.adviseDontDump();
            }
            ram.add(m);
            slot++;
        }
        // LIFETIME: the VM is owned after its RAM, so it (and with it every vCPU) closes before the RAM is unmapped.
        vm = owned.own(kvm.createVm());
        List<GuestMemory.Region> regions = new ArrayList<>();
        for (int i = 0; i < ram.size(); i++) {
            MemoryLayout.RamRegion r = layout.ramRegions().get(i);
            vm.setUserMemoryRegion(i, r.gpa(), ram.get(i).segment());
            regions.add(new GuestMemory.Region(
                    r.gpa(), ram.get(i).segment(), ram.get(i).fd()));
        }
        memory = new GuestMemory(regions);
        return this;
    }

    /** Phase 2: checked first, so the error names the capability; then the IRQ chip and PIT. */
    public MachineBuilder irqchip() {
        advance(Phase.MEMORY, Phase.IRQCHIP);
        requireCapabilities(kvm);
        // Only Intel VMX needs these two (real-mode emulation); other KVMs may not offer them.
        if (kvm.checkExtension(KvmIoctls.KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0) {
            // The identity map page sits just below the TSS's three pages, as in Firecracker.
            vm.setIdentityMapAddress(MemoryLayout.TSS - 0x1000);
        }
        if (kvm.checkExtension(KvmIoctls.KVM_CAP_SET_TSS_ADDR) > 0) {
            vm.setTssAddress(MemoryLayout.TSS);
        }
        vm.createIrqChip();
        // As firmware would leave them (a PC BIOS's bases 0x08 and 0x70): Linux in ACPI hardware-reduced mode
        // never programs the PIC, and KVM's reset state would deliver any early ISA interrupt as an exception.
        vm.maskLegacyPic(0x08, 0x70);
        vm.createPit2(VmFd.PIT_SPEAKER_DUMMY);
        return this;
    }

    /** Phase 3: the legacy devices on their buses; a guest reset or poweroff goes to {@code stops}. */
    public MachineBuilder legacyDevices(SerialBackend serial) {
        advance(Phase.IRQCHIP, Phase.LEGACY_DEVICES);
        uart = new Uart8250(irqLine(COM1_IRQ)::signal, serial.output());
        pio.register(COM1_PORT, 8, uart);
        i8042 = new I8042(() -> stops.guestShutdown(-1));
        pio.register(I8042_DATA_PORT, 1, i8042.dataPort());
        pio.register(SYSTEM_CONTROL_PORT_B, 1, new SystemControlPortB());
        pio.register(I8042_COMMAND_PORT, 1, i8042.commandPort());
        pio.register(POST_CODE_PORT, 1, new PostCode());
        if (config.machine().acpi()) {
            // A guest poweroff (ACPI S5) ends the VM the way an i8042 reset does.
            pio.register(ACPI_SLEEP_PORT, SleepRegisters.SIZE, new SleepRegisters(() -> stops.guestShutdown(-1)));
        }
        mmio.register(
                MemoryLayout.BOOT_TIMER, BOOT_TIMER_SIZE, new BootTimer(System::nanoTime, bootClock::guestBooted));
        return this;
    }

    /**
     * Phase 4: the virtio-mmio pool (4 disk and 2 NIC slots, then the {@code optional} devices), its queue
     * notifications watched on {@code loops}.
     *
     * @throws io.jstrato.vmm.devices.DeviceException when the host lacks what an optional device needs
     */
    public MachineBuilder virtioDevices(
            IoEventLoopGroup loops, List<Optional<MacAddress>> nicMacs, OptionalDevices optional) {
        advance(Phase.LEGACY_DEVICES, Phase.VIRTIO_DEVICES);
        virtioSlots = VirtioPool.mmioSlots(optional.count());
        devices = owned.own(new VirtioPool(
                config.name(), memory, mmio, vm::registerIoEventFd, this::irqLine, loops, nicMacs, optional));
        return this;
    }

    /**
     * Phase 5: the kernel and initrd, the command line announcing the virtio slots, the MP table and (after the
     * kernel, which they must not overlap) the ACPI tables.
     */
    public MachineBuilder loaders() throws BootException {
        advance(Phase.VIRTIO_DEVICES, Phase.LOADERS);
        String cmdline = KernelCommandLine.build(boot.cmdline(), virtioSlots);
        OptionalLong rsdp = config.machine().acpi() ? OptionalLong.of(AcpiTables.RSDP_ADDRESS) : OptionalLong.empty();
        bootImage = KernelLoader.load(memory, layout, boot.kernel(), boot.initrd(), cmdline, rsdp);
        MpTable.write(memory, config.machine().vcpus());
        if (config.machine().acpi()) {
            AcpiTables.Machine described = new AcpiTables.Machine(
                    config.machine().vcpus(), virtioSlots, new Dsdt.SerialPort(COM1_PORT, COM1_IRQ), ACPI_SLEEP_PORT);
            try {
                AcpiTables.write(memory, AcpiTables.build(described), bootImage.kernelStart(), bootImage.kernelEnd());
            } catch (IllegalArgumentException e) {
                throw new BootException(boot.kernel(), e.getMessage());
            }
        }
        LOG.fine(() ->
                "loaded " + bootImage.format() + " kernel, entry " + bootImage.entry() + ", command line: " + cmdline);
        return this;
    }

    /** Phase 6: the vCPUs, configured; the boot vCPU at the loaded kernel's entry, the others in reset state. */
    public MachineBuilder vcpus() {
        advance(Phase.LOADERS, Phase.VCPUS);
        VcpuSignal.installNoopHandler();
        VcpuSetup setup = new VcpuSetup(kvm, config.machine().vcpus());
        faultReport = new VcpuFaultReport(memory, vcpuFds::get);
        List<VcpuEngine> engines = new ArrayList<>();
        for (int i = 0; i < config.machine().vcpus(); i++) {
            // A vCPU fd closes with the VM's (KVM holds the VM until its last vCPU goes): the VM closes them.
            VcpuFd fd = vm.createVcpu(i);
            vcpuFds.add(fd);
            setup.configure(fd, i);
            ExitCounters counters = new ExitCounters();
            exitCounters.add(counters);
            engines.add(new KvmVcpu(i, fd, pio, mmio, counters, faultReport));
        }
        VcpuSetup.enter(vcpuFds.get(0), BootCpuSetup.prepare(memory, bootImage.entry()));
        vcpus = new VcpuThreads(engines, stops);
        return this;
    }

    /** Hands the machine and everything this builder owns to it; the builder then owns nothing. */
    public MicroVm build() {
        advance(Phase.VCPUS, Phase.BUILT);
        return new MicroVm(
                new MicroVm.Parts(
                        config,
                        vm,
                        memory,
                        pio,
                        mmio,
                        uart,
                        i8042,
                        devices,
                        List.copyOf(vcpuFds),
                        List.copyOf(exitCounters),
                        vcpus,
                        faultReport,
                        bootImage,
                        bootClock),
                owned.transfer());
    }

    /** Releases what the phases made when the build did not finish; after {@link #build()}, nothing. */
    @Override
    public void close() {
        owned.close();
    }

    /** An irqfd on {@code gsi}: signalling the eventfd raises the interrupt in the in-kernel IRQ chip. */
    private EventFd irqLine(int gsi) {
        EventFd fd = owned.own(EventFd.create(true));
        vm.registerIrqFd(fd, gsi);
        return fd;
    }

    private void advance(Phase expected, Phase next) {
        if (phase != expected) {
            throw new IllegalStateException(
                    "machine phase " + next + " needs " + expected + " first; the builder is at " + phase);
        }
        phase = next;
    }

    /** What this machine cannot run without. */
    private static void requireCapabilities(Kvm kvm) {
        int[] caps = {
            KvmIoctls.KVM_CAP_IRQCHIP,
            KvmIoctls.KVM_CAP_PIT2,
            KvmIoctls.KVM_CAP_IOEVENTFD,
            KvmIoctls.KVM_CAP_IRQFD,
            KvmIoctls.KVM_CAP_IMMEDIATE_EXIT
        };
        String[] names = {
            "KVM_CAP_IRQCHIP", "KVM_CAP_PIT2", "KVM_CAP_IOEVENTFD", "KVM_CAP_IRQFD", "KVM_CAP_IMMEDIATE_EXIT"
        };
        for (int i = 0; i < caps.length; i++) {
            if (kvm.checkExtension(caps[i]) <= 0) {
                throw new MissingCapabilityException("this host's KVM lacks " + names[i] + ", which jstrato needs");
            }
        }
    }
}
