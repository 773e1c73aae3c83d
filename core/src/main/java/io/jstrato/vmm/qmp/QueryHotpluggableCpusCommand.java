package io.jstrato.vmm.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jstrato.qmp.QmpArguments;
import io.jstrato.qmp.QmpCommand;
import io.jstrato.qmp.QmpSession;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code query-hotpluggable-cpus}: the vCPUs, all present (a microVM plugs no CPUs later). */
public final class QueryHotpluggableCpusCommand implements QmpCommand {
    private final int vcpus;

    public QueryHotpluggableCpusCommand(int vcpus) {
        this.vcpus = vcpus;
    }

    @Override
    public String name() {
        return "query-hotpluggable-cpus";
    }

    @Override
    public CompletionStage<? extends JsonNode> execute(ObjectNode arguments, QmpSession session) {
        QmpArguments.NONE.validate(arguments);
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < vcpus; i++) {
            ObjectNode cpu = list.addObject();
            cpu.put("type", "host-x86-cpu");
            cpu.put("vcpus-count", 1);
            cpu.set("props", CpuTopology.props(i));
            cpu.put("qom-path", CpuTopology.qomPath(i));
        }
        return CompletableFuture.completedFuture(list);
    }
}
