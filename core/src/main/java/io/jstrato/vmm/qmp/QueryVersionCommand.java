package io.jstrato.vmm.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jstrato.qmp.QmpArguments;
import io.jstrato.qmp.QmpCommand;
import io.jstrato.qmp.QmpGreeting;
import io.jstrato.qmp.QmpSession;
import io.jstrato.vmm.config.QmpSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code query-version}: the numbers the asking connection was greeted with (its socket's, QMP.md "Greeting"),
 * and jstrato's own version as the package.
 */
public final class QueryVersionCommand implements QmpCommand {
    /** The QEMU version StratoVirt 0.x reports on its {@code -api-channel} socket (the seed's). */
    private static final int API_CHANNEL_MAJOR = 4;
    /** The QEMU version StratoVirt 2.3 reports on {@code -qmp} sockets; Kata's govmm requires at least 5. */
    private static final int QMP_MAJOR = 5;

    private static final int MINOR = 0;
    private static final int MICRO = 1;

    /** The greeting of a socket of {@code style}, with {@code packageName} (e.g. {@code jstrato-0.1.0}). */
    public static QmpGreeting greeting(QmpSocket.Style style, String packageName) {
        int major = switch (style) {
            case API_CHANNEL -> API_CHANNEL_MAJOR;
            case QMP -> QMP_MAJOR;
        };
        return new QmpGreeting(packageName, major, MINOR, MICRO);
    }

    @Override
    public String name() {
        return "query-version";
    }

    @Override
    public CompletionStage<? extends JsonNode> execute(ObjectNode arguments, QmpSession session) {
        QmpArguments.NONE.validate(arguments);
        QmpGreeting greeting = session.greeting();
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        ObjectNode qemu = r.putObject("qemu");
        qemu.put("micro", greeting.micro());
        qemu.put("minor", greeting.minor());
        qemu.put("major", greeting.major());
        r.put("package", greeting.packageName());
        return CompletableFuture.completedFuture(r);
    }
}
