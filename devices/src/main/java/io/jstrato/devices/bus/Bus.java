package io.jstrato.devices.bus;

import io.jstrato.devices.BusDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A sorted range map from addresses to {@link BusDevice}s: one for port I/O, one for MMIO.
 *
 * <p>Dispatch ({@link #read}, {@link #write}) is a binary search over plain arrays and allocates nothing.
 * The arrays live in one immutable {@link Snapshot} published through a volatile field: registration
 * (normally before the vCPUs start, possibly later for hot-plug) builds a new snapshot under a lock and
 * publishes it whole, so a vCPU thread sees either the old map or the new one, never a half-built one.
 * The bus takes no lock on dispatch; devices do their own locking.
 *
 * <p>An access is routed by its first address; a device whose window the access runs past gets it anyway
 * at its offset (as Firecracker does) and answers as its hardware would.
 */
public final class Bus {
    /** The published map: parallel arrays sorted by base; never mutated after construction. */
    private record Snapshot(long[] bases, long[] lasts, BusDevice[] devices) {
        static final Snapshot EMPTY = new Snapshot(new long[0], new long[0], new BusDevice[0]);

        /** Index of the range holding {@code addr}, or -1. */
        int find(long addr) {
            int lo = 0;
            int hi = bases.length - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (Long.compareUnsigned(addr, bases[mid]) < 0) {
                    hi = mid - 1;
                } else if (Long.compareUnsigned(addr, lasts[mid]) > 0) {
                    lo = mid + 1;
                } else {
                    return mid;
                }
            }
            return -1;
        }
    }

    /** A registered device and where it sits, for listings and diagnostics. */
    public record Entry(BusRange range, BusDevice device) {}

    private final String name;
    private final UnassignedRead unassigned;
    private final Object registrationLock = new Object();
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private final AtomicLong unhandledReads = new AtomicLong();
    private final AtomicLong unhandledWrites = new AtomicLong();
    private final AtomicLong deviceFaults = new AtomicLong();
    private static final System.Logger LOG = System.getLogger(Bus.class.getName());

    /**
     * @param name       for error messages ("pio", "mmio")
     * @param unassigned what reads of addresses no device claims return
     */
    public Bus(String name, UnassignedRead unassigned) {
        this.name = name;
        this.unassigned = unassigned;
    }

    /** A port-I/O bus: unassigned ports read all ones. */
    public static Bus portIo() {
        return new Bus("pio", UnassignedRead.ALL_ONES);
    }

    /** An MMIO bus: unassigned addresses read 0. */
    public static Bus mmio() {
        return new Bus("mmio", UnassignedRead.ZERO);
    }

    /**
     * Places {@code device} at {@code [base, base + length)}.
     *
     * @throws BusOverlapException if any address of the range already belongs to a device
     */
    public void register(long base, long length, BusDevice device) {
        if (device == null) {
            throw new NullPointerException("device");
        }
        BusRange range = new BusRange(base, length);
        synchronized (registrationLock) {
            Snapshot old = snapshot;
            int n = old.bases.length;
            int at = 0;
            while (at < n && Long.compareUnsigned(old.bases[at], base) < 0) {
                at++;
            }
            // Sorted and disjoint: only the neighbours can overlap.
            if (at > 0 && Long.compareUnsigned(old.lasts[at - 1], base) >= 0) {
                throw new BusOverlapException(name, range, rangeAt(old, at - 1));
            }
            if (at < n && Long.compareUnsigned(old.bases[at], range.last()) <= 0) {
                throw new BusOverlapException(name, range, rangeAt(old, at));
            }
            long[] bases = new long[n + 1];
            long[] lasts = new long[n + 1];
            BusDevice[] devices = new BusDevice[n + 1];
            System.arraycopy(old.bases, 0, bases, 0, at);
            System.arraycopy(old.lasts, 0, lasts, 0, at);
            System.arraycopy(old.devices, 0, devices, 0, at);
            bases[at] = base;
            lasts[at] = range.last();
            devices[at] = device;
            System.arraycopy(old.bases, at, bases, at + 1, n - at);
            System.arraycopy(old.lasts, at, lasts, at + 1, n - at);
            System.arraycopy(old.devices, at, devices, at + 1, n - at);
            snapshot = new Snapshot(bases, lasts, devices);
        }
    }

    /** Removes the device registered exactly at {@code base} (hot-unplug); returns whether there was one. */
    public boolean unregister(long base) {
        synchronized (registrationLock) {
            Snapshot old = snapshot;
            int i = old.find(base);
            if (i < 0 || old.bases[i] != base) {
                return false;
            }
            int n = old.bases.length;
            long[] bases = new long[n - 1];
            long[] lasts = new long[n - 1];
            BusDevice[] devices = new BusDevice[n - 1];
            System.arraycopy(old.bases, 0, bases, 0, i);
            System.arraycopy(old.lasts, 0, lasts, 0, i);
            System.arraycopy(old.devices, 0, devices, 0, i);
            System.arraycopy(old.bases, i + 1, bases, i, n - i - 1);
            System.arraycopy(old.lasts, i + 1, lasts, i, n - i - 1);
            System.arraycopy(old.devices, i + 1, devices, i, n - i - 1);
            snapshot = new Snapshot(bases, lasts, devices);
            return true;
        }
    }

    /**
     * Reads {@code size} bytes at {@code addr}: the owning device's answer, or the unassigned answer (counted).
     * Allocates nothing.
     */
    public long read(long addr, int size) {
        Snapshot s = snapshot;
        int i = s.find(addr);
        if (i < 0) {
            unhandledReads.incrementAndGet();
            return unassigned.valueFor(size);
        }
        try {
            return s.devices[i].read(addr - s.bases[i], size);
        } catch (RuntimeException e) {
            deviceFault(addr, "read", e);
            return unassigned.valueFor(size);
        }
    }

    /** Writes the low {@code size} bytes of {@code value} at {@code addr}; unassigned writes are dropped and counted. */
    public void write(long addr, int size, long value) {
        Snapshot s = snapshot;
        int i = s.find(addr);
        if (i < 0) {
            unhandledWrites.incrementAndGet();
            return;
        }
        try {
            s.devices[i].write(addr - s.bases[i], size, value);
        } catch (RuntimeException e) {
            deviceFault(addr, "write", e);
        }
    }

    /**
     * A device broke its contract (it must answer everything a guest does as hardware would). The vCPU thread
     * survives: the access is answered as unassigned, counted, and the first one logged with its stack.
     */
    private void deviceFault(long addr, String access, RuntimeException e) {
        if (deviceFaults.getAndIncrement() == 0) {
            LOG.log(
                    System.Logger.Level.ERROR,
                    name + " bus: device " + access + " at 0x" + Long.toHexString(addr)
                            + " threw; answering as unassigned (further faults are only counted)",
                    e);
        }
    }

    /** Whether some device claims {@code addr}. */
    public boolean isAssigned(long addr) {
        return snapshot.find(addr) >= 0;
    }

    public long unhandledReads() {
        return unhandledReads.get();
    }

    public long unhandledWrites() {
        return unhandledWrites.get();
    }

    /** Accesses whose device threw (a device bug, never a guest's doing). */
    public long deviceFaults() {
        return deviceFaults.get();
    }

    public String name() {
        return name;
    }

    /** The registered devices in address order. */
    public List<Entry> entries() {
        Snapshot s = snapshot;
        List<Entry> out = new ArrayList<>(s.bases.length);
        for (int i = 0; i < s.bases.length; i++) {
            out.add(new Entry(rangeAt(s, i), s.devices[i]));
        }
        return List.copyOf(out);
    }

    private static BusRange rangeAt(Snapshot s, int i) {
        return new BusRange(s.bases[i], s.lasts[i] - s.bases[i] + 1);
    }
}
