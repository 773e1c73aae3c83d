package io.jstrato.vmm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyValueOptionsTest {
    @Test
    void positionalFlagsAndValues() {
        KeyValueOptions kv = KeyValueOptions.parse("-qmp", "unix:/tmp/a=b.sock,server,nowait", null);
        assertEquals(Optional.of("unix:/tmp/a=b.sock"), kv.positional(), "not a key: a bare first value");
        assertTrue(kv.takeBoolean("server", false));
        assertTrue(kv.takeBoolean("nowait", false));
        kv.finish();
    }

    @Test
    void unixPathWithEqualsIsAKeyWhenNotFirst() {
        KeyValueOptions kv = KeyValueOptions.parse("-drive", "id=d0,file=/a=b.img", null);
        assertEquals("/a=b.img", kv.require("file"), "the value keeps every '=' after the first");
    }

    @Test
    void positionalKeyNamesALeadingBareWord() {
        KeyValueOptions kv = KeyValueOptions.parse("-machine", "microvm,dump-guest-core=off", "type");
        assertEquals("microvm", kv.require("type"));
        assertFalse(kv.takeBoolean("dump-guest-core", true));
        kv.finish();
        KeyValueOptions explicit = KeyValueOptions.parse("-machine", "type=microvm", "type");
        assertEquals("microvm", explicit.require("type"));
    }

    @Test
    void firstItemWithEqualsButNoKeyIsThePositionalValue() {
        KeyValueOptions kv = KeyValueOptions.parse("-serial", "a/b=c", "backend");
        assertEquals("a/b=c", kv.require("backend"));
    }

    @Test
    void doubledCommaIsALiteralComma() {
        KeyValueOptions kv = KeyValueOptions.parse("-drive", "id=d0,file=/a,,b.img", null);
        assertEquals("/a,b.img", kv.require("file"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ''                    | -x: needs a value
            'id=a,'               | -x: empty item in 'id=a,'
            'id=a,=b'             | -x: '=b' has no valid key
            'id=a,/x=b'           | -x: '/x=b' has no valid key
            'id=a,id=b'           | -x: 'id' is given twice
            """)
    void malformedValues(String value, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> KeyValueOptions.parse("-x", value, null));
        assertEquals(message, e.getMessage());
        assertEquals(2, e.exitStatus());
    }

    @Test
    void leftoverKeysAreNamed() {
        KeyValueOptions kv = KeyValueOptions.parse("-drive", "id=d0,fiel=a.img,zz=1", null);
        kv.require("id");
        ConfigException e = assertThrows(ConfigException.class, kv::finish);
        assertEquals("-drive: unknown parameters 'fiel', 'zz'", e.getMessage());
    }

    @Test
    void requiredKeyMissingOrEmpty() {
        assertEquals(
                "-drive: 'file=' is required",
                assertThrows(
                                ConfigException.class,
                                () -> KeyValueOptions.parse("-drive", "id=d0", null)
                                        .require("file"))
                        .getMessage());
        assertEquals(
                "-drive: 'file=' is empty",
                assertThrows(
                                ConfigException.class,
                                () -> KeyValueOptions.parse("-drive", "id=d0,file=", null)
                                        .require("file"))
                        .getMessage());
    }

    @ParameterizedTest
    @CsvSource({"on,true", "off,false", "yes,true", "no,false", "true,true", "false,false", "ON,true", "No,false"})
    void booleans(String text, boolean value) {
        assertEquals(value, KeyValueOptions.parseBoolean("-x", text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "0", "y", "enabled", ""})
    void notBooleans(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> KeyValueOptions.parseBoolean("-x ro", text));
        assertEquals("-x ro: expected on|off|yes|no|true|false, got '" + text + "'", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        "256, 1048576, 268435456",
        "256M, 1, 268435456",
        "256m, 1, 268435456",
        "256MiB, 1, 268435456",
        "256MB, 1, 268435456",
        "1G, 1048576, 1073741824",
        "2g, 1048576, 2147483648",
        "512K, 1048576, 524288",
        "1T, 1, 1099511627776",
        "4096, 1, 4096",
        "4096B, 1048576, 4096"
    })
    void sizes(String text, long defaultUnit, long bytes) {
        assertEquals(bytes, KeyValueOptions.parseSize("-m", text, defaultUnit));
    }

    @ParameterizedTest
    @CsvSource({
        "'', is not a size",
        "M, is not a size",
        "1.5G, is not a size",
        "-1, is not a size",
        "12X, is not a size",
        "999999999999999999T, is too large"
    })
    void notSizes(String text, String problem) {
        ConfigException e = assertThrows(ConfigException.class, () -> KeyValueOptions.parseSize("-m", text, 1));
        assertTrue(e.getMessage().startsWith("-m: '" + text + "' " + problem), e.getMessage());
    }
}
