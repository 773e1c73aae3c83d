package io.jstrato.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourcesTest {
    private final List<String> closed = new ArrayList<>();

    private AutoCloseable named(String name) {
        return () -> closed.add(name);
    }

    @Test
    void closesLastAcquiredFirst() {
        Resources r = new Resources();
        AutoCloseable ram = named("ram");
        assertSame(ram, r.own(ram));
        r.own(named("vm"));
        r.own(named("irqfd"));
        r.close();
        assertEquals(List.of("irqfd", "vm", "ram"), closed);
        r.close();
        assertEquals(3, closed.size(), "a second close closes nothing again");
    }

    @Test
    void aCloseThatFailsDoesNotKeepTheOthersOpen() {
        Resources r = new Resources();
        r.own(named("ram"));
        r.own(() -> {
            throw new IllegalStateException("stuck");
        });
        r.own(named("device"));
        r.close();
        assertEquals(List.of("device", "ram"), closed);
    }

    @Test
    void transferHandsEverythingOnInOrder() {
        Resources builder = new Resources();
        builder.own(named("ram"));
        builder.own(named("vm"));
        Resources machine = builder.transfer();
        builder.close();
        assertEquals(List.of(), closed, "the builder owns nothing after the hand-over");
        machine.close();
        assertEquals(List.of("vm", "ram"), closed);
    }
}
