package io.jstrato.vmm.qmp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** How vCPUs are presented to QMP clients: one socket, one core per vCPU, one thread per core. */
final class CpuTopology {
    private CpuTopology() {}

    static ObjectNode props(int vcpu) {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("socket-id", 0);
        p.put("core-id", vcpu);
        p.put("thread-id", 0);
        return p;
    }

    static String qomPath(int vcpu) {
        return "/machine/unattached/device[" + vcpu + "]";
    }
}
