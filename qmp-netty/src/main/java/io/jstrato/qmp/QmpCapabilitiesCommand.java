package io.jstrato.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletionStage;

/**
 * {@code qmp_capabilities}: negotiation. jstrato offers no capabilities ({@code "capabilities":[]} in the
 * greeting) and, like StratoVirt, does not require negotiation, so the command is accepted at any time.
 * QEMU's optional {@code enable} list is accepted only empty.
 */
final class QmpCapabilitiesCommand implements QmpCommand {
    private static final QmpArguments ARGUMENTS =
            QmpArguments.builder().optional("enable", QmpArguments.Type.ARRAY).build();

    @Override
    public String name() {
        return "qmp_capabilities";
    }

    @Override
    public CompletionStage<JsonNode> execute(ObjectNode arguments, QmpSession session) {
        ARGUMENTS.validate(arguments);
        JsonNode enable = arguments.get("enable");
        if (enable != null && !enable.isEmpty()) {
            throw QmpException.generic("Capability '" + enable.get(0).asText() + "' is not available");
        }
        return QmpCommand.returnEmpty();
    }
}
