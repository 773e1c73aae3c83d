package io.jstrato.devices.virtio;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.GuestMemoryException;
import io.jstrato.devices.legacy.SerialInput;
import io.jstrato.devices.legacy.SerialOutput;
import java.util.List;

/**
 * virtio-console with one port and no multiport feature (virtio 1.x §5.3): what QEMU's {@code virtio-serial-device}
 * with one {@code virtconsole,nr=0} is to a Linux guest, its {@code hvc0}. Queue 0 (receiveq) takes the bytes
 * the backend received, queue 1 (transmitq) carries the guest's output to the backend's {@link SerialOutput}.
 *
 * <p>Input the guest has no buffers for waits in a bounded buffer of {@link #INPUT_CAPACITY} bytes, delivered as
 * soon as the guest posts receive buffers; beyond it bytes are dropped and counted, as a UART's FIFO overruns.
 * A console must never hold the guest up, so output goes to the backend as the guest sends it (the backend
 * drops what nobody reads).
 *
 * <p>Threads: notifications come on the notifier's thread (the queue's event loop, or a vCPU) and input on the
 * backend's event loop; {@link #lock} serialises both with {@link #activate} and {@link #reset}. Work per call
 * is bounded by the queue size and the input buffer. Nothing is allocated after construction.
 */
public final class VirtioConsole implements VirtioDevice, SerialInput {
    public static final int DEVICE_TYPE = 3;
    public static final int QUEUE_SIZE = 128;
    public static final int INPUT_CAPACITY = 64 * 1024;
    static final int RECEIVE_QUEUE = 0;
    static final int TRANSMIT_QUEUE = 1;

    private final SerialOutput output;
    private final Object lock = new Object();
    private final DescriptorChain chain = new DescriptorChain(QUEUE_SIZE);
    private final QueueDrain.ChainHandler send = this::send;
    private final byte[] input = new byte[INPUT_CAPACITY]; // ring: [inputHead, inputHead + inputLength)
    private VirtioInterrupt interrupt;

    // Guarded by lock.
    private GuestMemory memory;
    private SplitQueue receive;
    private SplitQueue transmit;
    private boolean active;
    private int inputHead;
    private int inputLength;

    // Counters, written under lock.
    private long bytesOut;
    private long bytesIn;
    private long inputDropped;
    private long errors;

    public VirtioConsole(SerialOutput output) {
        this.output = output;
    }

    @Override
    public int deviceType() {
        return DEVICE_TYPE;
    }

    @Override
    public long deviceFeatures() {
        return VirtioFeatures.VERSION_1;
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public int queueMaxSize(int index) {
        return QUEUE_SIZE;
    }

    @Override
    public void bind(VirtioInterrupt transport) {
        this.interrupt = transport;
    }

    @Override
    public void writeConfig(int offset, int size, long value) {
        // cols, rows and max_nr_ports are only there with features this device does not offer: nothing to write.
    }

    @Override
    public void activate(GuestMemory guestMemory, List<SplitQueue> queues, long driverFeatures) {
        synchronized (lock) {
            memory = guestMemory;
            receive = queues.get(RECEIVE_QUEUE);
            transmit = queues.get(TRANSMIT_QUEUE);
            active = true;
        }
        queueNotify(TRANSMIT_QUEUE);
        queueNotify(RECEIVE_QUEUE);
    }

    @Override
    public void reset() {
        synchronized (lock) {
            active = false;
            receive = null;
            transmit = null;
            memory = null;
        }
    }

    @Override
    public void queueNotify(int index) {
        synchronized (lock) {
            if (!active) {
                return;
            }
            try {
                if (index == TRANSMIT_QUEUE) {
                    transmit();
                } else if (index == RECEIVE_QUEUE) {
                    deliverInput();
                }
            } catch (GuestMemoryException e) {
                // Only reachable if a check in the queue was missed: still a guest fault, never a dead thread.
                needsReset();
            }
        }
    }

    /** Sends every transmit chain's readable bytes to the backend. Under lock. */
    private void transmit() {
        if (!transmit.ready()) {
            return;
        }
        if (QueueDrain.drain(transmit, memory, chain, send, interrupt).broken()) {
            needsReset();
        }
    }

    /** One transmit chain's readable bytes to the backend; nothing is written into it. */
    private long send(DescriptorChain popped) {
        for (int i = 0; i < popped.readableCount(); i++) {
            long address = popped.address(i);
            long length = popped.length(i);
            for (long j = 0; j < length; j++) {
                output.write(memory.readByte(address + j));
            }
            bytesOut += length;
        }
        return 0;
    }

    /** Moves waiting input into the guest's receive buffers while there are both. Under lock. */
    private void deliverInput() {
        if (receive == null || !receive.ready()) {
            return;
        }
        boolean completed = false;
        while (inputLength > 0) {
            SplitQueue.Pop pop = receive.pop(memory, chain);
            if (pop == SplitQueue.Pop.EMPTY) {
                break;
            }
            if (pop == SplitQueue.Pop.BAD_CHAIN) {
                needsReset();
                return;
            }
            long written = 0;
            for (int i = chain.readableCount(); i < chain.count() && inputLength > 0; i++) {
                long address = chain.address(i);
                long length = chain.length(i);
                for (long j = 0; j < length && inputLength > 0; j++) {
                    memory.writeByte(address + j, input[inputHead]);
                    inputHead = (inputHead + 1) % INPUT_CAPACITY;
                    inputLength--;
                    written++;
                }
            }
            bytesIn += written;
            receive.addUsed(memory, chain.head(), written);
            completed = true;
        }
        if (completed && receive.needsNotification(memory)) {
            interrupt.signalUsedBuffer();
        }
    }

    /** One byte from the backend; delivered at {@link #endOfInput} (or when the guest posts buffers). */
    @Override
    public boolean enqueueInput(byte b) {
        synchronized (lock) {
            if (inputLength == INPUT_CAPACITY) {
                inputDropped++;
                return false;
            }
            input[(inputHead + inputLength) % INPUT_CAPACITY] = b;
            inputLength++;
            return true;
        }
    }

    @Override
    public void endOfInput() {
        synchronized (lock) {
            if (!active) {
                return;
            }
            try {
                deliverInput();
            } catch (GuestMemoryException e) {
                needsReset();
            }
        }
    }

    private void needsReset() {
        errors++;
        active = false;
        interrupt.deviceNeedsReset();
    }

    /** Bytes the guest sent to the backend. */
    public long bytesOut() {
        synchronized (lock) {
            return bytesOut;
        }
    }

    /** Bytes from the backend that reached the guest. */
    public long bytesIn() {
        synchronized (lock) {
            return bytesIn;
        }
    }

    /** Bytes from the backend dropped because the guest had not read what came before. */
    public long inputDropped() {
        synchronized (lock) {
            return inputDropped;
        }
    }

    /** Broken chains (the device then needs a reset). */
    public long errors() {
        synchronized (lock) {
            return errors;
        }
    }
}
