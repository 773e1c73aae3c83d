package io.jstrato.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class QmpEchoTest {
    @Test
    void shortTextIsWhole() {
        assertEquals("", QmpEcho.of(""));
        assertEquals("x".repeat(QmpEcho.MAX_CHARS), QmpEcho.of("x".repeat(QmpEcho.MAX_CHARS)));
    }

    @Test
    void longTextIsItsStartAndItsLength() {
        assertEquals(
                "y".repeat(QmpEcho.MAX_CHARS) + "... (65 characters)", QmpEcho.of("y".repeat(QmpEcho.MAX_CHARS + 1)));
    }

    @Test
    void aCharacterIsNeverCutInTwo() {
        String text = "a".repeat(QmpEcho.MAX_CHARS - 1) + "\uD83D\uDE00" + "b".repeat(10);
        assertEquals("a".repeat(QmpEcho.MAX_CHARS - 1) + "... (" + text.length() + " characters)", QmpEcho.of(text));
    }
}
