package io.jstrato.bench.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jstrato.qmp.QmpCodecChannels;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * QMP's per-request codec cost through the server's own handlers, in the order {@code QmpChannelInitializer}
 * installs them: bytes → {@code QmpFrameSplitter} → {@code QmpJsonDecoder} → {@code QmpRequestValidator} → a
 * request, and a reply or event → {@code QmpEncoder} → bytes. An {@link EmbeddedChannel} stands in for the
 * socket (its own cost is part of the number, as a pipeline's is in the server).
 *
 * <p>The handlers are package-private, and a benchmark must not widen the API it measures: {@link
 * QmpCodecChannels}, in qmp-netty's test-jar, hands them out.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"})
public class QmpCodecBenchmark {
    /** What hydropper and the harness send most: a status poll with an id. */
    private static final byte[] QUERY_STATUS =
            "{\"execute\":\"query-status\",\"id\":42}\r\n".getBytes(StandardCharsets.UTF_8);
    /** A request with arguments, as a hot-plug client sends. */
    private static final byte[] DEVICE_ADD = ("{\"execute\":\"device_add\",\"arguments\":{\"driver\":"
                    + "\"virtio-blk-device\",\"id\":\"disk1\",\"drive\":\"drive1\",\"serial\":\"abc\"},\"id\":\"r-17\"}")
            .getBytes(StandardCharsets.UTF_8);

    private EmbeddedChannel inbound;
    private EmbeddedChannel outbound;
    private ByteBuf queryStatus;
    private ByteBuf deviceAdd;
    private Object statusReturn;
    private Object stopEvent;

    @Setup(Level.Trial)
    public void setUp() {
        ObjectMapper mapper = QmpCodecChannels.mapper();
        inbound = QmpCodecChannels.decoder(mapper);
        outbound = QmpCodecChannels.encoder(mapper);
        queryStatus = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(QUERY_STATUS));
        deviceAdd = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(DEVICE_ADD));
        ObjectNode status = mapper.createObjectNode();
        status.put("status", "running").put("singlestep", false).put("running", true);
        statusReturn = QmpCodecChannels.returnValue(status, IntNode.valueOf(42));
        stopEvent = QmpCodecChannels.event("STOP", mapper.createObjectNode(), 1_700_000_000L, 123_456);
        // Fail at set-up, not with a silently meaningless number.
        if (!"query-status".equals(QmpCodecChannels.command(decode(queryStatus)))) {
            throw new IllegalStateException("the decode pipeline does not yield the request");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        inbound.finishAndReleaseAll();
        outbound.finishAndReleaseAll();
    }

    /** The decoded request; {@link QmpCodecChannels}' accessors throw when it is a rejection instead. */
    private Object decode(ByteBuf request) {
        inbound.writeInbound(request.duplicate());
        return inbound.readInbound();
    }

    private int encode(Object message) {
        outbound.writeOutbound(message);
        ByteBuf bytes = outbound.readOutbound();
        int n = bytes.readableBytes();
        bytes.release();
        return n;
    }

    @Benchmark
    public JsonNode decodeQueryStatus() {
        return QmpCodecChannels.id(decode(queryStatus));
    }

    @Benchmark
    public ObjectNode decodeDeviceAdd() {
        return QmpCodecChannels.arguments(decode(deviceAdd));
    }

    @Benchmark
    public int encodeReturn() {
        return encode(statusReturn);
    }

    @Benchmark
    public int encodeEvent() {
        return encode(stopEvent);
    }
}
