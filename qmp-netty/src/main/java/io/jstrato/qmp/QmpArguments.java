package io.jstrato.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The arguments a command accepts: member names, their JSON types, and which are required. Built once per
 * command; {@link #validate} is then called first thing in {@code execute}, so that a wrong request is
 * refused with a {@code GenericError} naming the argument before anything changes. The sentences are
 * QEMU's ({@code qapi/qobject-input-visitor.c}), so scripts written against QEMU recognise them.
 *
 * <pre>{@code
 * static final QmpArguments ARGS = QmpArguments.builder()
 *         .required("id", QmpArguments.Type.STRING)
 *         .optional("addr", QmpArguments.Type.STRING)
 *         .build();
 * }</pre>
 */
public final class QmpArguments {
    /** JSON types as QEMU's messages name them. */
    public enum Type {
        STRING("string"),
        INTEGER("integer"),
        NUMBER("number"),
        BOOLEAN("boolean"),
        OBJECT("object"),
        ARRAY("array"),
        /** Any JSON value; only presence is checked. */
        ANY("any");

        private final String wireName;

        Type(String wireName) {
            this.wireName = wireName;
        }

        boolean accepts(JsonNode value) {
            return switch (this) {
                case STRING -> value.isTextual();
                case INTEGER -> value.isIntegralNumber();
                case NUMBER -> value.isNumber();
                case BOOLEAN -> value.isBoolean();
                case OBJECT -> value.isObject();
                case ARRAY -> value.isArray();
                case ANY -> true;
            };
        }
    }

    private record Member(Type type, boolean required) {}

    /** A command that takes no arguments. */
    public static final QmpArguments NONE = new QmpArguments(Map.of());

    private final Map<String, Member> members;

    private QmpArguments(Map<String, Member> members) {
        this.members = members;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Checks {@code arguments} against this description.
     *
     * @throws QmpException {@code GenericError} naming the first offending argument
     */
    public void validate(ObjectNode arguments) {
        Iterator<Map.Entry<String, JsonNode>> given = arguments.properties().iterator();
        while (given.hasNext()) {
            Map.Entry<String, JsonNode> argument = given.next();
            Member member = members.get(argument.getKey());
            if (member == null) {
                throw QmpException.generic("Parameter '" + QmpEcho.of(argument.getKey()) + "' is unexpected");
            }
            if (!member.type().accepts(argument.getValue())) {
                throw QmpException.generic(
                        "Invalid parameter type for '" + argument.getKey() + "', expected: " + member.type().wireName);
            }
        }
        for (Map.Entry<String, Member> member : members.entrySet()) {
            if (member.getValue().required() && !arguments.has(member.getKey())) {
                throw QmpException.generic("Parameter '" + member.getKey() + "' is missing");
            }
        }
    }

    public static final class Builder {
        private final Map<String, Member> members = new LinkedHashMap<>();

        private Builder() {}

        public Builder required(String name, Type type) {
            return add(name, type, true);
        }

        public Builder optional(String name, Type type) {
            return add(name, type, false);
        }

        private Builder add(String name, Type type, boolean required) {
            Objects.requireNonNull(type, "type");
            if (members.putIfAbsent(Objects.requireNonNull(name, "name"), new Member(type, required)) != null) {
                throw new IllegalArgumentException("argument '" + name + "' is described twice");
            }
            return this;
        }

        public QmpArguments build() {
            return new QmpArguments(Map.copyOf(members));
        }
    }
}
