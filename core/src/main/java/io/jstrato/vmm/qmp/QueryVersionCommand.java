package io.jstrato.vmm.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jstrato.qmp.QmpArguments;
import io.jstrato.qmp.QmpCommand;
import io.jstrato.qmp.QmpSession;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code query-version}: the version numbers of the seed's greeting, and jstrato's own as the package. */
public final class QueryVersionCommand implements QmpCommand {
    /** The QEMU version StratoVirt's microVM reports in the seed; clients key behaviour off it. */
    public static final int MAJOR = 4;
    public static final int MINOR = 0;
    public static final int MICRO = 1;

    private final String packageName;

    public QueryVersionCommand(String packageName) {
        this.packageName = packageName;
    }

    @Override
    public String name() {
        return "query-version";
    }

    @Override
    public CompletionStage<? extends JsonNode> execute(ObjectNode arguments, QmpSession session) {
        QmpArguments.NONE.validate(arguments);
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        ObjectNode qemu = r.putObject("qemu");
        qemu.put("micro", MICRO);
        qemu.put("minor", MINOR);
        qemu.put("major", MAJOR);
        r.put("package", packageName);
        return CompletableFuture.completedFuture(r);
    }
}
