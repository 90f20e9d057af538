package dev.otimo.api.v2;

import dev.otimo.runtime.DataType;
import ai.onnxruntime.platform.Fp16Conversions;
import dev.otimo.runtime.Tensor;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Encodes v2 inference responses: JSON, or a JSON header followed by binary output data (with
 * the header's length for {@code Inference-Header-Content-Length}).
 */
public final class V2ResponseEncoder {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(tools.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(tools.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    private V2ResponseEncoder() {
    }

    /** The encoded body; {@code headerLength} is -1 when the body is JSON only. */
    public record Encoded(byte[] body, int headerLength) {
    }

    /**
     * @param binary names of the outputs to send as binary data; {@code allBinary} sends all so
     */
    public static Encoded encode(String model, int version, String id, List<Tensor> outputs,
                                 Set<String> binary, boolean allBinary) {
        ByteArrayOutputStream json = new ByteArrayOutputStream(256 + outputs.size() * 64);
        boolean anyBinary = false;
        try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), json)) {
            g.writeStartObject();
            g.writeStringProperty("model_name", model);
            g.writeStringProperty("model_version", Integer.toString(version));
            if (id != null) {
                g.writeStringProperty("id", id);
            }
            g.writeName("outputs");
            g.writeStartArray();
            for (Tensor t : outputs) {
                g.writeStartObject();
                g.writeStringProperty("name", t.name());
                g.writeStringProperty("datatype", t.datatype().name());
                g.writeName("shape");
                long[] shape = t.shape();
                g.writeArray(shape, 0, shape.length);
                if (allBinary || binary.contains(t.name())) {
                    anyBinary = true;
                    g.writeName("parameters");
                    g.writeStartObject();
                    g.writeNumberProperty("binary_data_size", binarySize(t));
                    g.writeEndObject();
                } else {
                    g.writeName("data");
                    writeData(g, t);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        if (!anyBinary) {
            return new Encoded(json.toByteArray(), -1);
        }
        int headerLength = json.size();
        for (Tensor t : outputs) {
            if (allBinary || binary.contains(t.name())) {
                if (t.datatype() == DataType.BYTES) {
                    BinaryElements.writeBytes(t.elements(), json);
                } else {
                    ByteBuffer data = t.data();
                    byte[] raw = new byte[data.remaining()];
                    data.get(raw);
                    json.write(raw, 0, raw.length);
                }
            }
        }
        return new Encoded(json.toByteArray(), headerLength);
    }

    private static int binarySize(Tensor t) {
        return t.datatype() == DataType.BYTES ? BinaryElements.sizeOf(t.elements()) : (int) t.byteSize();
    }

    private static void writeData(JsonGenerator g, Tensor t) {
        g.writeStartArray();
        if (t.datatype() == DataType.BYTES) {
            for (byte[] e : t.elements()) {
                g.writeString(new String(e, StandardCharsets.UTF_8));
            }
            g.writeEndArray();
            return;
        }
        ByteBuffer b = t.data();
        int n = (int) t.elementCount();
        for (int i = 0; i < n; i++) {
            switch (t.datatype()) {
                case FP32 -> g.writeNumber(b.getFloat());
                case FP64 -> g.writeNumber(b.getDouble());
                case FP16 -> g.writeNumber(Fp16Conversions.fp16ToFloat(b.getShort()));
                case BOOL -> g.writeBoolean(b.get() != 0);
                case INT8 -> g.writeNumber(b.get());
                case UINT8 -> g.writeNumber(b.get() & 0xff);
                case INT16 -> g.writeNumber(b.getShort());
                case UINT16 -> g.writeNumber(b.getShort() & 0xffff);
                case INT32 -> g.writeNumber(b.getInt());
                case UINT32 -> g.writeNumber(Integer.toUnsignedLong(b.getInt()));
                case INT64 -> g.writeNumber(b.getLong());
                case UINT64 -> {
                    long v = b.getLong();
                    if (v >= 0) {
                        g.writeNumber(v);
                    } else {
                        g.writeNumber(new java.math.BigInteger(Long.toUnsignedString(v)));
                    }
                }
                default -> throw new IllegalStateException(t.datatype().name());
            }
        }
        g.writeEndArray();
    }
}
