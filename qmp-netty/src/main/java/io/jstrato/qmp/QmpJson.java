package io.jstrato.qmp;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;

/** The one Jackson configuration QMP uses; each server builds its own mapper from it. */
final class QmpJson {
    private QmpJson() {}

    static ObjectMapper newMapper() {
        return JsonMapper.builder()
                .addModule(new BlackbirdModule())
                // QEMU's parser refuses both; a silently dropped duplicate would hide a client bug.
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // An id is echoed unchanged (QMP.md): as a double, 1e999999 became Infinity, written as the
                // string "Infinity", and 0.1 could gain digits. A decimal keeps the number the client sent.
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .build();
    }
}
