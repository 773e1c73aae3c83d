package io.jstrato.vmm.machine;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.acpi.SleepRegisters;
import io.jstrato.devices.bus.Bus;
import io.jstrato.devices.legacy.BootTimer;
import io.jstrato.devices.legacy.I8042;
import io.jstrato.devices.legacy.PostCode;
import io.jstrato.devices.legacy.SystemControlPortB;
import io.jstrato.devices.legacy.Uart8250;
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
import io.jstrato.vmm.config.VmConfig;
import io.jstrato.vmm.metrics.ExitCounters;
import io.jstrato.vmm.serial.SerialBackend;
import io.jstrato.vmm.vcpu.GuestStopListener;
import io.jstrato.vmm.vcpu.KvmVcpu;
import io.jstrato.vmm.vcpu.VcpuEngine;
import io.jstrato.vmm.vcpu.VcpuFaultReport;
import io.jstrato.vmm.vcpu.VcpuThreads;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.logging.Logger;

/**
 * The x86_64 microVM of MACHINE.md, built and ready to run: guest RAM mapped into a KVM VM with the in-kernel
 * IRQ chip and PIT, the legacy devices on their buses, the kernel loaded, and one parked-ready vCPU per
 * {@code -smp}. Owns everything it creates and closes it child-first, guest RAM last (LIFETIME: only after
 * every vCPU thread has ended).
 */
public final class MicroVm implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MicroVm.class.getName());

    static final int COM1_PORT = 0x3F8;
    static final int COM1_IRQ = 4;
    static final int I8042_DATA_PORT = 0x60;
    static final int SYSTEM_CONTROL_PORT_B = 0x61;
    static final int I8042_COMMAND_PORT = 0x64;
    static final int POST_CODE_PORT = 0x80;
    /** The FADT's sleep control (0x600) and status (0x601) registers; a free port range on this machine. */
    static final int ACPI_SLEEP_PORT = 0x600;
    private static final long BOOT_TIMER_SIZE = 0x1000;

    private final VmConfig config;
    private final VmFd vm;
    private final List<AnonymousMemory> ram = new ArrayList<>();
    private final GuestMemory memory;
    private final Bus pio = Bus.portIo();
    private final Bus mmio = Bus.mmio();
    private final List<EventFd> irqFds = new ArrayList<>();
    private final Uart8250 uart;
    private final I8042 i8042;
    private final BootTimer bootTimer;
    private final GuestStopRelay stops = new GuestStopRelay();
    private final List<VcpuFd> vcpuFds = new ArrayList<>();
    private final List<ExitCounters> exitCounters = new ArrayList<>();
    private final VcpuThreads vcpus;
    private final VcpuFaultReport faultReport;
    private final BootImage bootImage;
    private final Instant processStart;
    private volatile Duration bootTime;

    private MicroVm(VmConfig config, Kvm kvm, SerialBackend serial, List<VirtioMmioSlot> virtioSlots,
                    java.util.function.BiConsumer<MicroVm, Bus> virtioWiring) throws BootException {
        this.config = config;
        this.processStart = ProcessHandle.current().info().startInstant().orElse(Instant.now());
        this.vm = kvm.createVm();
        MemoryLayout layout = new MemoryLayout(config.machine().memoryBytes());
        List<GuestMemory.Region> regions = new ArrayList<>();
        int slot = 0;
        for (MemoryLayout.RamRegion r : layout.ramRegions()) {
            // mem-share=on: one memfd per RAM region, each a region a vhost-user backend maps by its fd.
            AnonymousMemory m = config.machine().memShare()
                    ? AnonymousMemory.mapMemfd(r.size(), "jstrato-ram-" + slot)
                    : AnonymousMemory.map(r.size());
            if (!config.machine().dumpGuestCore()) {
                m.adviseDontDump();
            }
            ram.add(m);
            // LIFETIME: the segment is guest RAM until close(), which runs after the vCPU threads end.
            vm.setUserMemoryRegion(slot++, r.gpa(), m.segment());
            regions.add(new GuestMemory.Region(r.gpa(), m.segment(), m.fd()));
        }
        this.memory = new GuestMemory(regions);

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

        this.uart = new Uart8250(irqLine(COM1_IRQ)::signal, serial.output());
        pio.register(COM1_PORT, 8, uart);
        this.i8042 = new I8042(() -> stops.guestShutdown(-1));
        pio.register(I8042_DATA_PORT, 1, i8042.dataPort());
        pio.register(SYSTEM_CONTROL_PORT_B, 1, new SystemControlPortB());
        pio.register(I8042_COMMAND_PORT, 1, i8042.commandPort());
        pio.register(POST_CODE_PORT, 1, new PostCode());
        if (config.machine().acpi()) {
            // A guest poweroff (ACPI S5) ends the VM the way an i8042 reset does.
            pio.register(ACPI_SLEEP_PORT, SleepRegisters.SIZE, new SleepRegisters(() -> stops.guestShutdown(-1)));
        }
        this.bootTimer = new BootTimer(System::nanoTime, nanos -> {
            bootTime = Duration.between(processStart, Instant.now());
            LOG.info("guest boot timer: " + bootTime.toMillis() + " ms after the VMM process started");
        });
        mmio.register(MemoryLayout.BOOT_TIMER, BOOT_TIMER_SIZE, bootTimer);
        virtioWiring.accept(this, mmio);

        String cmdline = KernelCommandLine.build(config.boot().orElseThrow().cmdline(), virtioSlots);
        OptionalLong rsdp = config.machine().acpi() ? OptionalLong.of(AcpiTables.RSDP_ADDRESS) : OptionalLong.empty();
        this.bootImage = KernelLoader.load(memory, layout, config.boot().orElseThrow().kernel(),
                config.boot().orElseThrow().initrd(), cmdline, rsdp);
        MpTable.write(memory, config.machine().vcpus());
        if (config.machine().acpi()) {
            writeAcpiTables(virtioSlots);
        }

        VcpuSignal.installNoopHandler();
        VcpuSetup setup = new VcpuSetup(kvm, config.machine().vcpus());
        this.faultReport = new VcpuFaultReport(memory, vcpuFds::get);
        List<VcpuEngine> engines = new ArrayList<>();
        for (int i = 0; i < config.machine().vcpus(); i++) {
            VcpuFd fd = vm.createVcpu(i);
            vcpuFds.add(fd);
            setup.configure(fd, i);
            ExitCounters counters = new ExitCounters();
            exitCounters.add(counters);
            engines.add(new KvmVcpu(i, fd, pio, mmio, counters, faultReport));
        }
        VcpuSetup.enter(vcpuFds.get(0), BootCpuSetup.prepare(memory, bootImage.entry()));
        this.vcpus = new VcpuThreads(engines, stops);
        LOG.fine(() -> "loaded " + bootImage.format() + " kernel, entry " + bootImage.entry() + ", command line: " + cmdline);
    }

    /**
     * Builds the machine. {@code virtioWiring} registers the virtio-mmio devices on the MMIO bus (their
     * slots must match {@code virtioSlots}, which the kernel command line announces).
     */
    public static MicroVm create(VmConfig config, Kvm kvm, SerialBackend serial, List<VirtioMmioSlot> virtioSlots,
                                 java.util.function.BiConsumer<MicroVm, Bus> virtioWiring) throws BootException {
        return new MicroVm(config, kvm, serial, virtioSlots, virtioWiring);
    }

    /** After the kernel: the tables must not overlap it, which only the loaded image can tell. */
    private void writeAcpiTables(List<VirtioMmioSlot> virtioSlots) throws BootException {
        AcpiTables.Machine described = new AcpiTables.Machine(config.machine().vcpus(), virtioSlots,
                new Dsdt.SerialPort(COM1_PORT, COM1_IRQ), ACPI_SLEEP_PORT);
        try {
            AcpiTables.write(memory, AcpiTables.build(described), bootImage.kernelStart(), bootImage.kernelEnd());
        } catch (IllegalArgumentException e) {
            throw new BootException(config.boot().orElseThrow().kernel(), e.getMessage());
        }
    }

    /** What this machine cannot run without; checked first so the error names the capability. */
    private static void requireCapabilities(Kvm kvm) {
        int[] caps = {KvmIoctls.KVM_CAP_IRQCHIP, KvmIoctls.KVM_CAP_PIT2, KvmIoctls.KVM_CAP_IOEVENTFD,
                KvmIoctls.KVM_CAP_IRQFD, KvmIoctls.KVM_CAP_IMMEDIATE_EXIT};
        String[] names = {"KVM_CAP_IRQCHIP", "KVM_CAP_PIT2", "KVM_CAP_IOEVENTFD", "KVM_CAP_IRQFD", "KVM_CAP_IMMEDIATE_EXIT"};
        for (int i = 0; i < caps.length; i++) {
            if (kvm.checkExtension(caps[i]) <= 0) {
                throw new MissingCapabilityException("this host's KVM lacks " + names[i] + ", which jstrato needs");
            }
        }
    }

    /** An irqfd on {@code gsi}: signalling the eventfd raises the interrupt in the in-kernel IRQ chip. */
    public EventFd irqLine(int gsi) {
        EventFd fd = EventFd.create(true);
        vm.registerIrqFd(fd, gsi);
        irqFds.add(fd);
        return fd;
    }

    public void connect(GuestStopListener listener) {
        stops.connect(listener);
    }

    public VmFd vm() {
        return vm;
    }

    public GuestMemory memory() {
        return memory;
    }

    public Uart8250 uart() {
        return uart;
    }

    /** The vCPU fds in id order; their state may be read or set only while no vCPU thread is in KVM_RUN. */
    public List<VcpuFd> vcpuFds() {
        return java.util.Collections.unmodifiableList(vcpuFds);
    }

    public I8042 i8042() {
        return i8042;
    }

    public VmConfig config() {
        return config;
    }

    public VcpuThreads vcpus() {
        return vcpus;
    }

    public List<ExitCounters> exitCounters() {
        return exitCounters;
    }

    public Bus pioBus() {
        return pio;
    }

    public Bus mmioBus() {
        return mmio;
    }

    public VcpuFaultReport faultReport() {
        return faultReport;
    }

    public BootImage bootImage() {
        return bootImage;
    }

    /** Seconds from process start to the guest's boot-timer write, once it happened. */
    public OptionalDouble bootSeconds() {
        Duration d = bootTime;
        return d == null ? OptionalDouble.empty() : OptionalDouble.of(d.toNanos() / 1e9);
    }

    public Optional<String> name() {
        return Optional.ofNullable(config.name());
    }

    @Override
    public void close() {
        for (EventFd fd : irqFds) {
            fd.close();
        }
        vm.close();
        // LIFETIME: guest RAM goes last, after the VM (and with it every vCPU) is closed.
        for (AnonymousMemory m : ram) {
            m.close();
        }
    }
}
