package io.jstrato.devices.virtio.blk;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.virtio.DescriptorChain;

/**
 * One virtio-blk request as parsed from its chain (virtio 1.x §5.2.6): the 16-byte header the driver wrote
 * (type, reserved, sector), the data, and the status byte the device writes last. {@link #parse} is a function
 * of the chain, guest memory and the disk's shape, and does no I/O: it says what the request asks for
 * ({@link Kind}) or why it cannot be done ({@link Fault}, with the status the driver gets). One instance is
 * reused for every request of a device (no allocation per request), by one thread at a time.
 */
final class BlkRequest {
    static final int HEADER_SIZE = 16;

    /** What a well-formed request asks for. */
    enum Kind {
        IN,
        OUT,
        FLUSH,
        GET_ID
    }

    /** Why a request is refused, with the status it completes with. */
    enum Fault {
        /** The slot holds no disk. */
        NO_DISK(VirtioBlk.S_IOERR),
        /** Fewer readable bytes than the header. */
        SHORT_HEADER(VirtioBlk.S_IOERR),
        /** A type this device does not implement. */
        UNSUPPORTED_TYPE(VirtioBlk.S_UNSUPP),
        /** IN or OUT data that is not whole sectors. */
        NOT_WHOLE_SECTORS(VirtioBlk.S_IOERR),
        /** IN or OUT beyond the disk's last sector. */
        BEYOND_CAPACITY(VirtioBlk.S_IOERR),
        /** OUT to a read-only disk. */
        READ_ONLY(VirtioBlk.S_IOERR),
        /** An O_DIRECT disk and an offset or length not a multiple of its blk_size. */
        MISALIGNED_FOR_DIRECT(VirtioBlk.S_IOERR);

        final int status;

        Fault(int status) {
            this.status = status;
        }
    }

    /** Null when the request is refused. */
    Kind kind;
    /** Null when the request is well-formed. */
    Fault fault;

    long sector;
    /** IN: bytes to read into the chain; OUT: bytes to write from it; GET_ID: bytes of the id to write. */
    long dataLength;
    /** Guest address of the status byte: the chain's last device-writable byte. */
    long statusAddress;

    /**
     * Parses the request in {@code chain}, which has at least one device-writable byte (for the status), for a
     * disk of {@code capacitySectors} ({@code present} false: an empty slot), read-only or not, whose O_DIRECT
     * alignment is {@code directAlignment} (0 when it is not O_DIRECT).
     *
     * @throws io.jstrato.devices.GuestMemoryException when the header is not in guest RAM (the queue is broken)
     */
    static void parse(
            DescriptorChain chain,
            GuestMemory memory,
            boolean present,
            long capacitySectors,
            boolean readOnly,
            int directAlignment,
            BlkRequest into) {
        into.kind = null;
        into.fault = null;
        into.sector = 0;
        into.dataLength = 0;
        into.statusAddress = chain.writableAddressAt(chain.writableBytes() - 1);
        if (chain.readableBytes() < HEADER_SIZE || !present) {
            into.fault = present ? Fault.SHORT_HEADER : Fault.NO_DISK;
            return;
        }
        int type = (int) chain.readLittleEndian(memory, 0, 4);
        long sector = chain.readLittleEndian(memory, 8, 8);
        into.sector = sector;
        switch (type) {
            case VirtioBlk.T_IN -> into.transfer(Kind.IN, chain.writableBytes() - 1, capacitySectors, directAlignment);
            case VirtioBlk.T_OUT -> {
                if (readOnly) {
                    into.fault = Fault.READ_ONLY;
                } else {
                    into.transfer(Kind.OUT, chain.readableBytes() - HEADER_SIZE, capacitySectors, directAlignment);
                }
            }
            case VirtioBlk.T_FLUSH -> into.kind = Kind.FLUSH;
            case VirtioBlk.T_GET_ID -> {
                into.kind = Kind.GET_ID;
                into.dataLength = Math.min(VirtioBlk.ID_BYTES, chain.writableBytes() - 1);
            }
            default -> into.fault = Fault.UNSUPPORTED_TYPE;
        }
    }

    private void transfer(Kind k, long length, long capacitySectors, int directAlignment) {
        if (length % VirtioBlk.SECTOR_SIZE != 0) {
            fault = Fault.NOT_WHOLE_SECTORS;
        } else if (Long.compareUnsigned(sector, capacitySectors) > 0
                || length / VirtioBlk.SECTOR_SIZE > capacitySectors - sector) {
            fault = Fault.BEYOND_CAPACITY;
        } else if (directAlignment != 0 && ((sector * VirtioBlk.SECTOR_SIZE | length) & (directAlignment - 1)) != 0) {
            // O_DIRECT cannot do it, and blk_size told the driver so.
            fault = Fault.MISALIGNED_FOR_DIRECT;
        } else {
            kind = k;
            dataLength = length;
        }
    }
}
