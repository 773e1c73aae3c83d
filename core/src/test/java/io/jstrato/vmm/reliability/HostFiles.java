package io.jstrato.vmm.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the host's files look like, to prove that abuse changed none of them: every entry under some
 * directories (kind, mode, size, and the SHA-256 of a regular file's content), plus single files named
 * explicitly. Special files (FIFOs, devices, /proc) are described by their attributes only: reading them
 * would block, never end or change them.
 */
final class HostFiles {
    private HostFiles() {}

    static Map<String, String> snapshot(Iterable<Path> trees, Iterable<Path> files) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (Path tree : trees) {
            try (Stream<Path> entries = Files.walk(tree)) {
                for (Path p : (Iterable<Path>) entries::iterator) {
                    out.put(p.toString(), describe(p));
                }
            }
        }
        for (Path file : files) {
            out.put(file.toString(), describe(file));
        }
        return out;
    }

    private static String describe(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return "absent";
        }
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String mode = Integer.toOctalString(posixMode(a));
        if (a.isSymbolicLink()) {
            return "symlink -> " + Files.readSymbolicLink(p);
        }
        if (a.isDirectory()) {
            return "dir " + mode;
        }
        if (!a.isRegularFile() || p.startsWith("/proc") || p.startsWith("/dev") || p.startsWith("/sys")) {
            return "special " + mode;
        }
        return "file " + mode + " " + a.size() + " " + sha256(p);
    }

    private static int posixMode(PosixFileAttributes a) {
        int mode = 0;
        for (var perm : a.permissions()) {
            mode |= 1 << (8 - perm.ordinal());
        }
        return mode;
    }

    private static String sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] chunk = new byte[64 * 1024];
            for (int n; (n = in.read(chunk)) > 0; ) {
                digest.update(chunk, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Fails naming every entry that appeared, went, or changed. */
    static void assertUnchanged(Map<String, String> before, Map<String, String> after, String what) {
        StringBuilder diff = new StringBuilder();
        for (var e : before.entrySet()) {
            String now = after.get(e.getKey());
            if (!e.getValue().equals(now)) {
                diff.append("\n  ")
                        .append(e.getKey())
                        .append(": ")
                        .append(e.getValue())
                        .append(" -> ")
                        .append(now == null ? "gone" : now);
            }
        }
        for (var e : after.entrySet()) {
            if (!before.containsKey(e.getKey())) {
                diff.append("\n  ").append(e.getKey()).append(": new ").append(e.getValue());
            }
        }
        if (!diff.isEmpty()) {
            throw new AssertionError(what + " changed host files:" + diff);
        }
    }

    static void mkfifo(Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new AssertionError("mkfifo " + path + " failed");
        }
    }
}
