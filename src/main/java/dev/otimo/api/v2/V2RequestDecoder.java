package dev.otimo.api.v2;

import dev.otimo.inference.InferRequest;
import dev.otimo.inference.RequestedOutput;
import dev.otimo.inference.SignatureCheck;
import dev.otimo.api.ApiException;
import dev.otimo.runtime.DataType;
import ai.onnxruntime.platform.Fp16Conversions;
import dev.otimo.runtime.Signature;
import dev.otimo.runtime.Tensor;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes v2 inference requests, JSON and the binary tensor extension, streaming numbers from
 * Jackson's parser straight into little-endian buffers (no boxed lists). Every malformed input
 * raises a 400 {@link ApiException} that names the input and what is wrong.
 *
 * <p>Memory is bounded by the body, never by what it declares: an input is checked against the
 * model's signature before any of its data is read, a shape that declares more elements than the
 * rest of the body could hold is refused at once, and element buffers start small and grow only
 * as values actually arrive. What the decoder allocates is a small multiple of the body's size.
 */
public final class V2RequestDecoder {

    /** Most elements one tensor may declare. */
    public static final long MAX_ELEMENTS = 1L << 31;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(tools.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(tools.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    /** Elements an element buffer holds before its first value; it doubles as values arrive. */
    private static final int INITIAL_ELEMENTS = 16;
    /** The one array every empty BYTES element shares. */
    static final byte[] EMPTY_ELEMENT = new byte[0];

    private V2RequestDecoder() {
    }

    /**
     * @param body         the whole request body
     * @param headerLength the JSON part's length from {@code Inference-Header-Content-Length}, or -1
     *                     when the body is all JSON
     */
    public static InferRequest decode(byte[] body, long headerLength) {
        return decode(body, headerLength, null);
    }

    /**
     * @param body         the whole request body
     * @param headerLength the JSON part's length from {@code Inference-Header-Content-Length}, or -1
     *                     when the body is all JSON
     * @param signature    the inputs the serving model takes, checked before any input's data is
     *                     read; null to decode without a model (calibration files)
     */
    public static InferRequest decode(byte[] body, long headerLength, Signature signature) {
        if (body.length == 0) {
            throw ApiException.badRequest("empty request body; send a JSON inference request");
        }
        int jsonLength = body.length;
        if (headerLength >= 0) {
            if (headerLength > body.length) {
                throw ApiException.badRequest("Inference-Header-Content-Length " + headerLength
                        + " exceeds the body length " + body.length);
            }
            jsonLength = (int) headerLength;
        }
        Parsed parsed;
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), body, 0, jsonLength)) {
            parsed = parseRequest(p, body, jsonLength, signature);
        } catch (JacksonException e) {
            throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage());
        }
        List<Tensor> inputs = attachBinary(parsed.inputs, body, jsonLength, headerLength >= 0);
        return new InferRequest(parsed.id, inputs, parsed.outputs, parsed.priority, parsed.timeout, parsed.binaryOutput);
    }

    private static final class Parsed {
        String id;
        List<InputBuilder> inputs;
        List<RequestedOutput> outputs = List.of();
        int priority;
        long timeout;
        boolean binaryOutput;
    }

    private static Parsed parseRequest(JsonParser p, byte[] body, int jsonLength, Signature signature) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw ApiException.badRequest("the request body must be a JSON object with an \"inputs\" array");
        }
        Parsed parsed = new Parsed();
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "id" -> parsed.id = value == JsonToken.VALUE_NULL ? null : scalarText(p, "id");
                case "parameters" -> parseRequestParameters(p, parsed);
                case "inputs" -> parsed.inputs = parseInputs(p, body, jsonLength, signature);
                case "outputs" -> parsed.outputs = parseOutputs(p);
                default -> p.skipChildren();
            }
        }
        if (p.nextToken() != null) {
            throw ApiException.badRequest("unexpected content after the JSON request object");
        }
        if (parsed.inputs == null || parsed.inputs.isEmpty()) {
            throw ApiException.badRequest("the request has no inputs; \"inputs\" must list at least one tensor");
        }
        return parsed;
    }

    private static void parseRequestParameters(JsonParser p, Parsed parsed) {
        expect(p, JsonToken.START_OBJECT, "\"parameters\" must be an object");
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "priority" -> {
                    long v = integer(p, t, "parameters.priority");
                    if (v < 0 || v > 1_000_000) {
                        throw ApiException.badRequest("parameters.priority must be between 0 and 1000000, was " + v);
                    }
                    parsed.priority = (int) v;
                }
                case "timeout" -> {
                    long v = integer(p, t, "parameters.timeout");
                    if (v < 0) {
                        throw ApiException.badRequest("parameters.timeout (µs) must not be negative, was " + v);
                    }
                    parsed.timeout = v;
                }
                case "binary_data_output" -> parsed.binaryOutput = bool(t, "parameters.binary_data_output");
                default -> p.skipChildren();
            }
        }
    }

    private static List<InputBuilder> parseInputs(JsonParser p, byte[] body, int jsonLength, Signature signature) {
        expect(p, JsonToken.START_ARRAY, "\"inputs\" must be an array of tensors");
        List<InputBuilder> inputs = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw ApiException.badRequest("each entry of \"inputs\" must be an object with name, shape, datatype and data");
            }
            if (signature != null && inputs.size() == signature.inputs().size()) {
                throw ApiException.badRequest("the request has more inputs than the model's "
                        + signature.inputs().size() + " (" + signature.inputs().stream().map(s -> s.name()).toList() + ")");
            }
            inputs.add(parseInput(p, inputs.size(), body, jsonLength, signature));
        }
        return inputs;
    }

    private static InputBuilder parseInput(JsonParser p, int index, byte[] body, int jsonLength, Signature signature) {
        InputBuilder in = new InputBuilder();
        long dataOffset = -1;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "name" -> in.name = scalarText(p, "inputs[" + index + "].name");
                case "datatype" -> {
                    String text = scalarText(p, "inputs[" + index + "].datatype");
                    in.datatype = DataType.parse(text).orElseThrow(() -> ApiException.badRequest("input "
                            + in.label(index) + ": unknown datatype '" + text
                            + "'; use one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES"));
                }
                case "shape" -> in.shape = parseShape(p, t, in.label(index));
                case "parameters" -> parseInputParameters(p, t, in, index);
                case "data" -> {
                    if (in.name == null || in.datatype == null || in.shape == null) {
                        // name, datatype or shape comes later in this object: parse the data once they are known
                        dataOffset = p.currentTokenLocation().getByteOffset();
                        p.skipChildren();
                    } else {
                        precheck(in, signature);
                        in.data = parseData(p, in, index, jsonLength);
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (in.name == null || in.name.isEmpty()) {
            throw ApiException.badRequest("inputs[" + index + "] has no name");
        }
        if (in.datatype == null) {
            throw ApiException.badRequest("input '" + in.name + "' has no datatype");
        }
        if (in.shape == null) {
            throw ApiException.badRequest("input '" + in.name + "' has no shape");
        }
        precheck(in, signature);
        if (dataOffset >= 0) {
            try (JsonParser again = JSON.createParser(ObjectReadContext.empty(), body, (int) dataOffset,
                    jsonLength - (int) dataOffset)) {
                again.nextToken();
                in.data = parseData(again, in, index, jsonLength - (int) dataOffset);
            }
        }
        if (in.binarySize >= 0 && in.data != null) {
            throw ApiException.badRequest("input '" + in.name + "' has both \"data\" and parameters.binary_data_size");
        }
        if (in.binarySize < 0 && in.data == null) {
            throw ApiException.badRequest("input '" + in.name + "' has no data (neither \"data\" nor parameters.binary_data_size)");
        }
        return in;
    }

    private static void parseInputParameters(JsonParser p, JsonToken t, InputBuilder in, int index) {
        expect(p, JsonToken.START_OBJECT, "input " + in.label(index) + ": \"parameters\" must be an object");
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("binary_data_size")) {
                long size = integer(p, v, "input " + in.label(index) + " parameters.binary_data_size");
                if (size < 0) {
                    throw ApiException.badRequest("input " + in.label(index) + ": binary_data_size must not be negative, was " + size);
                }
                in.binarySize = size;
            } else {
                p.skipChildren();
            }
        }
    }

    private static long[] parseShape(JsonParser p, JsonToken t, String label) {
        if (t != JsonToken.START_ARRAY) {
            throw ApiException.badRequest("input " + label + ": \"shape\" must be an array of non-negative integers");
        }
        long[] dims = new long[8];
        int n = 0;
        long elements = 1;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw ApiException.badRequest("input " + label + ": \"shape\" must hold integers only");
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw ApiException.badRequest("input " + label + ": shape dimension " + p.getString() + " is too large");
            }
            long d = p.getLongValue();
            if (d < 0) {
                throw ApiException.badRequest("input " + label + ": shape dimension " + d + " is negative");
            }
            if (d > MAX_ELEMENTS) {
                throw ApiException.badRequest("input " + label + ": shape dimension " + d + " is too large (max " + MAX_ELEMENTS + ")");
            }
            if (n == dims.length) {
                if (n >= 64) {
                    throw ApiException.badRequest("input " + label + ": shape has more than 64 dimensions");
                }
                dims = java.util.Arrays.copyOf(dims, n * 2);
            }
            dims[n++] = d;
            elements = d == 0 ? 0 : (elements > MAX_ELEMENTS / d ? MAX_ELEMENTS + 1 : elements * d);
            if (elements > MAX_ELEMENTS) {
                throw ApiException.badRequest("input " + label + ": shape " + java.util.Arrays.toString(
                        java.util.Arrays.copyOf(dims, n)) + "... declares more than " + MAX_ELEMENTS + " elements");
            }
        }
        return java.util.Arrays.copyOf(dims, n);
    }

    /** Refuses an input the model does not take before any of its data is read. */
    private static void precheck(InputBuilder in, Signature signature) {
        if (signature != null) {
            SignatureCheck.checkInput(signature, in.name, in.datatype, in.shape, null);
        }
    }

    /**
     * Reads a (possibly nested) data array into the input's element buffer.
     *
     * @param parserEnd where the parser's content ends: every element takes at least one byte
     *                  before it, so a shape that needs more elements than that is refused unread
     */
    private static Object parseData(JsonParser p, InputBuilder in, int index, long parserEnd) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            // a lone scalar is accepted as a one-element tensor
            ElementWriter w = new ElementWriter(in, index, 1, 1);
            w.add(p, p.currentToken());
            return w.finish();
        }
        long expected = Math.max(expectedElements(in), 0);
        long room = parserEnd - p.currentTokenLocation().getByteOffset();
        if (expected > room) {
            throw ApiException.badRequest("input " + in.label(index) + ": shape " + java.util.Arrays.toString(in.shape)
                    + " declares " + expected + " elements but only " + Math.max(room, 0)
                    + " bytes of the body are left to hold them");
        }
        ElementWriter w = new ElementWriter(in, index, (int) Math.min(expected, INITIAL_ELEMENTS), expected);
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw ApiException.badRequest("input " + in.label(index) + ": data array is not closed");
            }
            switch (t) {
                case START_ARRAY -> depth++;
                case END_ARRAY -> depth--;
                case START_OBJECT -> throw ApiException.badRequest("input " + in.label(index) + ": data must hold "
                        + in.datatype + " values, found an object");
                default -> w.add(p, t);
            }
        }
        return w.finish();
    }

    private static long expectedElements(InputBuilder in) {
        long n = 1;
        for (long d : in.shape) {
            n *= d;
        }
        return n;
    }

    private static List<RequestedOutput> parseOutputs(JsonParser p) {
        expect(p, JsonToken.START_ARRAY, "\"outputs\" must be an array of {\"name\": ...} objects");
        List<RequestedOutput> outputs = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw ApiException.badRequest("each entry of \"outputs\" must be an object with a name");
            }
            String name = null;
            boolean binary = false;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("name")) {
                    name = scalarText(p, "outputs[" + outputs.size() + "].name");
                } else if (field.equals("parameters") && t == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        String param = p.currentName();
                        JsonToken v = p.nextToken();
                        if (param.equals("binary_data")) {
                            binary = bool(v, "outputs[" + outputs.size() + "].parameters.binary_data");
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (name == null || name.isEmpty()) {
                throw ApiException.badRequest("outputs[" + outputs.size() + "] has no name");
            }
            outputs.add(new RequestedOutput(name, binary));
        }
        return outputs;
    }

    /** Cuts the binary section into the inputs that declared binary_data_size, in order. */
    private static List<Tensor> attachBinary(List<InputBuilder> inputs, byte[] body, int jsonLength, boolean binaryExtension) {
        List<Tensor> tensors = new ArrayList<>(inputs.size());
        int offset = jsonLength;
        for (InputBuilder in : inputs) {
            long count = Tensor.elementCount(in.shape);
            if (in.binarySize >= 0) {
                if (!binaryExtension) {
                    throw ApiException.badRequest("input '" + in.name
                            + "' uses binary_data_size but the request has no Inference-Header-Content-Length header");
                }
                if (in.binarySize > body.length - offset) {
                    throw ApiException.badRequest("input '" + in.name + "': binary_data_size " + in.binarySize
                            + " goes beyond the end of the body (" + (body.length - offset) + " bytes left)");
                }
                int size = (int) in.binarySize;
                if (in.datatype == DataType.BYTES) {
                    if (count > size / 4) {
                        throw ApiException.badRequest("input '" + in.name + "': shape " + java.util.Arrays.toString(in.shape)
                                + " needs " + count + " BYTES elements but binary_data_size " + size
                                + " holds at most " + size / 4 + " (each takes a 4-byte length)");
                    }
                    tensors.add(Tensor.ofBytes(in.name, in.shape, BinaryElements.readBytes(body, offset, size, count, in.name)));
                } else {
                    long needed = count * in.datatype.byteSize();
                    if (needed != size) {
                        throw ApiException.badRequest("input '" + in.name + "': shape " + java.util.Arrays.toString(in.shape)
                                + " of " + in.datatype + " needs " + needed + " bytes but binary_data_size is " + size);
                    }
                    ByteBuffer data = ByteBuffer.wrap(body, offset, size).slice().order(ByteOrder.LITTLE_ENDIAN);
                    tensors.add(Tensor.of(in.name, in.datatype, in.shape, data));
                }
                offset += size;
                continue;
            }
            tensors.add(in.toTensor(count));
        }
        if (binaryExtension && offset != body.length) {
            throw ApiException.badRequest("the body has " + (body.length - offset)
                    + " bytes of binary data that no input's binary_data_size accounts for");
        }
        return tensors;
    }

    private static void expect(JsonParser p, JsonToken token, String message) {
        if (p.currentToken() != token) {
            throw ApiException.badRequest(message);
        }
    }

    private static String scalarText(JsonParser p, String what) {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT) {
            return p.getString();
        }
        throw ApiException.badRequest(what + " must be a string");
    }

    private static long integer(JsonParser p, JsonToken t, String what) {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw ApiException.badRequest(what + " must be an integer");
        }
        return p.getLongValue();
    }

    private static boolean bool(JsonToken t, String what) {
        if (t == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (t == JsonToken.VALUE_FALSE) {
            return false;
        }
        throw ApiException.badRequest(what + " must be true or false");
    }

    /** An input as it is being read. */
    private static final class InputBuilder {
        String name;
        DataType datatype;
        long[] shape;
        long binarySize = -1;
        Object data;

        String label(int index) {
            return name == null ? "inputs[" + index + "]" : "'" + name + "'";
        }

        Tensor toTensor(long count) {
            if (data instanceof byte[][] elements) {
                checkCount(elements.length, count);
                return Tensor.ofBytes(name, shape, elements);
            }
            ByteBuffer buffer = (ByteBuffer) data;
            checkCount(buffer.limit() / datatype.byteSize(), count);
            return Tensor.of(name, datatype, shape, buffer);
        }

        private void checkCount(long actual, long expected) {
            if (actual != expected) {
                throw ApiException.badRequest("input '" + name + "': shape " + java.util.Arrays.toString(shape)
                        + " needs " + expected + " elements but data has " + actual);
            }
        }
    }

    /** Appends scalar JSON tokens of one datatype to a growing little-endian buffer. */
    private static final class ElementWriter {
        private final InputBuilder in;
        private final int index;
        private final DataType type;
        private final long limit;
        private ByteBuffer buffer;
        private byte[][] strings;
        private long count;

        /**
         * @param initial elements to make room for at first
         * @param limit   elements the shape declares; one more is refused
         */
        ElementWriter(InputBuilder in, int index, int initial, long limit) {
            this.in = in;
            this.index = index;
            this.type = in.datatype;
            this.limit = limit;
            if (type == DataType.BYTES) {
                strings = new byte[Math.max(initial, 1)][];
            } else {
                buffer = ByteBuffer.allocate(Math.max(initial, 1) * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            }
        }

        void add(JsonParser p, JsonToken t) {
            if (++count > limit) {
                throw bad("data has more than the " + limit + " elements its shape " + java.util.Arrays.toString(in.shape)
                        + " needs");
            }
            if (type == DataType.BYTES) {
                if (t != JsonToken.VALUE_STRING) {
                    throw bad("BYTES data must be strings, found " + describe(t));
                }
                if (count > strings.length) {
                    strings = java.util.Arrays.copyOf(strings, (int) Math.min((long) strings.length * 2, limit));
                }
                String text = p.getString();
                strings[(int) count - 1] = text.isEmpty() ? EMPTY_ELEMENT : text.getBytes(StandardCharsets.UTF_8);
                return;
            }
            if (buffer.remaining() < type.byteSize()) {
                long grown = Math.min((long) buffer.capacity() * 2, limit * type.byteSize());
                if (grown > Integer.MAX_VALUE - 8) {
                    throw bad("data is too large");
                }
                ByteBuffer bigger = ByteBuffer.allocate((int) grown).order(ByteOrder.LITTLE_ENDIAN);
                buffer.flip();
                bigger.put(buffer);
                buffer = bigger;
            }
            switch (type) {
                case FP32 -> buffer.putFloat(floating(p, t));
                case FP64 -> buffer.putDouble(doubleValue(p, t));
                case FP16 -> buffer.putShort(Fp16Conversions.floatToFp16(floating(p, t)));
                case BOOL -> buffer.put(booleanValue(p, t));
                case INT8 -> buffer.put((byte) ranged(p, t, Byte.MIN_VALUE, Byte.MAX_VALUE));
                case UINT8 -> buffer.put((byte) ranged(p, t, 0, 255));
                case INT16 -> buffer.putShort((short) ranged(p, t, Short.MIN_VALUE, Short.MAX_VALUE));
                case UINT16 -> buffer.putShort((short) ranged(p, t, 0, 65535));
                case INT32 -> buffer.putInt((int) ranged(p, t, Integer.MIN_VALUE, Integer.MAX_VALUE));
                case UINT32 -> buffer.putInt((int) ranged(p, t, 0, 4294967295L));
                case INT64 -> buffer.putLong(ranged(p, t, Long.MIN_VALUE, Long.MAX_VALUE));
                case UINT64 -> buffer.putLong(unsigned64(p, t));
                default -> throw new IllegalStateException(type.name());
            }
        }

        Object finish() {
            if (type == DataType.BYTES) {
                return count == strings.length ? strings : java.util.Arrays.copyOf(strings, (int) count);
            }
            buffer.flip();
            return buffer;
        }

        private float floating(JsonParser p, JsonToken t) {
            if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
                return p.getFloatValue();
            }
            return (float) special(p, t);
        }

        private double doubleValue(JsonParser p, JsonToken t) {
            if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
                return p.getDoubleValue();
            }
            return special(p, t);
        }

        private double special(JsonParser p, JsonToken t) {
            if (t == JsonToken.VALUE_STRING) {
                switch (p.getString()) {
                    case "NaN", "nan" -> {
                        return Double.NaN;
                    }
                    case "Infinity", "inf" -> {
                        return Double.POSITIVE_INFINITY;
                    }
                    case "-Infinity", "-inf" -> {
                        return Double.NEGATIVE_INFINITY;
                    }
                    default -> throw bad(type + " data must be numbers, found the string \"" + abbreviate(p.getString()) + "\"");
                }
            }
            throw bad(type + " data must be numbers, found " + describe(t));
        }

        private byte booleanValue(JsonParser p, JsonToken t) {
            if (t == JsonToken.VALUE_TRUE) {
                return 1;
            }
            if (t == JsonToken.VALUE_FALSE) {
                return 0;
            }
            if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                    && (p.getLongValue() == 0 || p.getLongValue() == 1)) {
                return (byte) p.getLongValue();
            }
            throw bad("BOOL data must be true or false, found " + describe(t));
        }

        private long ranged(JsonParser p, JsonToken t, long min, long max) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw bad(type + " data must be integers, found " + describe(t));
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw bad("value " + p.getString() + " is out of range for " + type);
            }
            long v = p.getLongValue();
            if (v < min || v > max) {
                throw bad("value " + v + " is out of range for " + type + " [" + min + ", " + max + "]");
            }
            return v;
        }

        private long unsigned64(JsonParser p, JsonToken t) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw bad("UINT64 data must be integers, found " + describe(t));
            }
            BigInteger v = p.getBigIntegerValue();
            if (v.signum() < 0 || v.compareTo(UINT64_MAX) > 0) {
                throw bad("value " + v + " is out of range for UINT64");
            }
            return v.longValue();
        }

        private ApiException bad(String message) {
            return ApiException.badRequest("input " + in.label(index) + ": " + message);
        }

        private static String describe(JsonToken t) {
            return switch (t) {
                case VALUE_STRING -> "a string";
                case VALUE_NULL -> "null";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case VALUE_NUMBER_FLOAT -> "a non-integer number";
                case VALUE_NUMBER_INT -> "an integer";
                default -> t.name().toLowerCase();
            };
        }

        private static String abbreviate(String s) {
            return s.length() > 40 ? s.substring(0, 40) + "…" : s;
        }
    }
}
