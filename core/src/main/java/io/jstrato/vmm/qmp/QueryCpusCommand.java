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
import java.util.function.IntUnaryOperator;

/** {@code query-cpus}: one entry per vCPU with its host thread id. */
public final class QueryCpusCommand implements QmpCommand {
    private final int vcpus;
    private final IntUnaryOperator threadId;

    /** @param threadId host thread id of vCPU n, or -1 before its thread exists */
    public QueryCpusCommand(int vcpus, IntUnaryOperator threadId) {
        this.vcpus = vcpus;
        this.threadId = threadId;
    }

    @Override
    public String name() {
        return "query-cpus";
    }

    @Override
    public CompletionStage<? extends JsonNode> execute(ObjectNode arguments, QmpSession session) {
        QmpArguments.NONE.validate(arguments);
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < vcpus; i++) {
            ObjectNode cpu = list.addObject();
            cpu.put("CPU", i);
            cpu.put("current", i == 0);
            cpu.put("halted", false);
            cpu.put("qom_path", CpuTopology.qomPath(i));
            cpu.put("arch", "x86");
            cpu.put("thread_id", threadId.applyAsInt(i));
            cpu.set("props", CpuTopology.props(i));
        }
        return CompletableFuture.completedFuture(list);
    }
}
