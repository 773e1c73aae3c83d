package io.jstrato.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Resident memory of a VMM process from {@code /proc/PID/smaps}: all of it, and the part that is the guest's
 * RAM (the one anonymous mapping of guest-RAM size; jstrato maps it shared, QEMU private), so that what
 * the VMM itself costs can be told apart from what the guest touched.
 */
public record ProcessMemory(long rssKib, long guestRamRssKib) {
    /** Mappings this much larger than guest RAM still count as it (QEMU aligns its RAM block). */
    private static final long SLACK_KIB = 4 * 1024;
    /** A mapping's first line starts with its address range; its fields start with a name and a colon. */
    private static final java.util.regex.Pattern HEADER = java.util.regex.Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");

    public static ProcessMemory of(long pid, long guestRamMib) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/" + pid + "/smaps"));
        long ramKib = guestRamMib * 1024;
        long total = 0;
        long guest = 0;
        boolean candidate = false;
        for (String line : lines) {
            if (HEADER.matcher(line).lookingAt()) {
                candidate = isAnonymous(line);
            } else if (line.startsWith("Size:")) {
                long size = kib(line);
                candidate = candidate && size >= ramKib && size <= ramKib + SLACK_KIB;
            } else if (line.startsWith("Rss:")) {
                long rss = kib(line);
                total += rss;
                if (candidate) {
                    guest += rss;
                    candidate = false;
                }
            }
        }
        return new ProcessMemory(total, guest);
    }

    public long vmmOnlyKib() {
        return rssKib - guestRamRssKib;
    }

    /** Anonymous: no path, or shared anonymous memory ({@code /dev/zero (deleted)}, {@code [anon_shmem...]}). */
    private static boolean isAnonymous(String header) {
        String[] f = header.trim().split("\\s+", 6);
        if (f.length < 6) {
            return true;
        }
        String path = f[5];
        return path.startsWith("/dev/zero") || path.startsWith("[anon") || path.startsWith("/memfd:");
    }

    private static long kib(String line) {
        String[] f = line.trim().split("\\s+");
        return Long.parseLong(f[1]);
    }
}
