package io.jstrato.vmm.config;

import java.util.regex.Pattern;

/** The shape QEMU requires of device and backend ids (util/id.c: a letter, then letters, digits, '-', '.', '_'). */
final class Ids {
    private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");

    private Ids() {}

    static String check(String what, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw ConfigException.bad(
                    what + ": invalid id '" + id + "' (a letter, then up to 63 letters, digits, '-', '.' or '_')");
        }
        return id;
    }
}
