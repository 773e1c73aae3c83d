package io.jstrato.vmm.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The three ways of QMP.md "Transport" to name a QMP server socket: {@code -api-channel unix:PATH} (seed),
 * {@code -qmp unix:PATH,server,nowait} and {@code -chardev socket,id=ID,path=PATH,server,nowait} +
 * {@code -mon chardev=ID,id=ID,mode=control}. Also the registry of {@code -chardev}s: each is used by exactly one
 * {@code -mon} or device ({@link #claimChardev}, a {@code virtconsole}).
 */
final class QmpSocketOptions {
    private final Path cwd;
    private final List<QmpSocket> sockets = new ArrayList<>();
    private final Map<String, Path> chardevs = new LinkedHashMap<>();
    /** The chardevs given without {@code server}: jstrato connects to them (a vhost-user backend listens). */
    private final Set<String> clientChardevs = new HashSet<>();

    private final Map<String, String> monitorByChardev = new LinkedHashMap<>();
    private final Map<String, String> deviceByChardev = new LinkedHashMap<>();

    QmpSocketOptions(Path cwd) {
        this.cwd = cwd;
    }

    void apiChannel(String value) {
        sockets.add(new QmpSocket(SocketPaths.unix("-api-channel", value, cwd), QmpSocket.Style.API_CHANNEL));
    }

    void qmp(String value) {
        KeyValueOptions kv = KeyValueOptions.parse("-qmp", value, null);
        String address = kv.positional()
                .orElseThrow(() -> ConfigException.bad("-qmp: expected unix:PATH,server,nowait, got '" + value + "'"));
        Path path = SocketPaths.unix("-qmp", address, cwd);
        serverNoWait("-qmp", kv);
        kv.finish();
        sockets.add(new QmpSocket(path, QmpSocket.Style.QMP));
    }

    void chardev(String value) {
        KeyValueOptions kv = KeyValueOptions.parse("-chardev", value, "backend");
        String backend = kv.require("backend");
        if (!backend.equals("socket")) {
            throw ConfigException.bad("-chardev: backend '" + backend + "' is not supported (only socket)");
        }
        String id = kv.require("id");
        Ids.check("-chardev", id);
        Path path = SocketPaths.socket("-chardev " + id + " path", kv.require("path"), cwd);
        boolean server = kv.takeBoolean("server", false);
        if (server) {
            noWait("-chardev " + id, kv);
        }
        kv.finish();
        if (chardevs.putIfAbsent(id, path) != null) {
            throw ConfigException.bad("-chardev: id '" + id + "' is used twice");
        }
        if (!server) {
            clientChardevs.add(id);
        }
    }

    /**
     * {@code -qmp-max-clients N}: how many QMP connections are served at once over all sockets; one more gets
     * an error line and is closed. Never below the 16 QMP.md promises.
     */
    static int maxClients(String value) {
        int n = KeyValueOptions.parseInt("-qmp-max-clients", value);
        if (n < VmConfig.MIN_QMP_CLIENTS) {
            throw ConfigException.bad("-qmp-max-clients: must be at least " + VmConfig.MIN_QMP_CLIENTS
                    + " (QMP serves that many clients at once), got " + n);
        }
        return n;
    }

    /**
     * The socket path of chardev {@code id}, for the device {@code user} (e.g. "-device console0"), which then
     * owns it; {@code listens}: the device is a server on it (a console), else it connects to it (vhost-user,
     * whatever {@code server} says, as StratoVirt does with Kata's {@code server,nowait}: virtiofsd listens).
     * Call after every {@code -chardev} and before any {@code -mon}.
     */
    Path claimChardev(String id, String user, boolean listens) {
        Path path = chardevs.get(id);
        if (path == null) {
            throw ConfigException.bad(user + ": chardev '" + id + "' is not defined by any -chardev");
        }
        if (listens && clientChardevs.contains(id)) {
            throw ConfigException.bad(user + ": chardev '" + id + "' must be a server socket (add ',server,nowait')");
        }
        String other = deviceByChardev.putIfAbsent(id, user);
        if (other != null) {
            throw ConfigException.bad(user + ": chardev '" + id + "' is already used by " + other);
        }
        return path;
    }

    /** Call after every {@code -chardev} and every device that claims one. */
    void mon(String value) {
        KeyValueOptions kv = KeyValueOptions.parse("-mon", value, null);
        kv.positional().ifPresent(p -> {
            throw ConfigException.bad("-mon: unexpected '" + p + "' (expected chardev=ID,id=ID,mode=control)");
        });
        String chardev = kv.require("chardev");
        String id = kv.take("id").orElse(chardev);
        String mode = kv.take("mode").orElse("readline");
        if (!mode.equals("control")) {
            throw ConfigException.bad(
                    "-mon " + id + ": mode '" + mode + "' is not supported (only mode=control, i.e. QMP)");
        }
        kv.takeBoolean("pretty", false); // QMP replies are one line each whatever the client asks
        kv.finish();
        Path path = chardevs.get(chardev);
        if (path == null) {
            throw ConfigException.bad("-mon " + id + ": chardev '" + chardev + "' is not defined by any -chardev");
        }
        if (clientChardevs.contains(chardev)) {
            throw ConfigException.bad(
                    "-mon " + id + ": chardev '" + chardev + "' must be a server socket (add ',server,nowait')");
        }
        if (deviceByChardev.containsKey(chardev)) {
            throw ConfigException.bad(
                    "-mon " + id + ": chardev '" + chardev + "' is already used by " + deviceByChardev.get(chardev));
        }
        if (monitorByChardev.putIfAbsent(chardev, id) != null) {
            throw ConfigException.bad("-mon " + id + ": chardev '" + chardev + "' is already used by monitor '"
                    + monitorByChardev.get(chardev) + "'");
        }
        sockets.add(new QmpSocket(path, QmpSocket.Style.QMP));
    }

    List<QmpSocket> sockets() {
        for (String id : chardevs.keySet()) {
            if (!monitorByChardev.containsKey(id) && !deviceByChardev.containsKey(id)) {
                throw ConfigException.bad("-chardev " + id + ": not used by any -mon or -device (add -mon chardev=" + id
                        + ",id=" + id + ",mode=control)");
            }
        }
        return List.copyOf(sockets);
    }

    /** QMP sockets only listen, and never wait for a client before starting. */
    private static void serverNoWait(String option, KeyValueOptions kv) {
        if (!kv.takeBoolean("server", false)) {
            throw ConfigException.bad(option + ": only server sockets are supported (add ',server,nowait')");
        }
        noWait(option, kv);
    }

    /** A socket jstrato listens on never waits for a client before starting. */
    private static void noWait(String option, KeyValueOptions kv) {
        boolean noWait = kv.takeBoolean("nowait", false);
        boolean wait = kv.takeBoolean("wait", !noWait);
        if (wait) {
            throw ConfigException.bad(option + ": waiting for a client is not supported (add ',nowait')");
        }
    }
}
