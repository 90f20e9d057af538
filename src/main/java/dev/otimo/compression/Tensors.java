package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.platform.Fp16Conversions;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

/** Reading and writing the values of ONNX {@link TensorProto} constants. */
final class Tensors {

    private Tensors() {
    }

    static boolean isFloat(TensorProto t) {
        return t.getDataType() == TensorProto.DataType.FLOAT.getNumber();
    }

    static boolean isExternal(TensorProto t) {
        return t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
    }

    static long[] dims(TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    static long elementCount(TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            n *= d;
        }
        return n;
    }

    /** The values of a FLOAT tensor, from {@code raw_data} or {@code float_data}. */
    static float[] floats(TensorProto t) {
        if (!isFloat(t)) {
            throw new IllegalArgumentException("tensor " + t.getName() + " is not FLOAT");
        }
        int n = embeddedElements(t, 4, "float");
        float[] out = new float[n];
        if (!t.getRawData().isEmpty()) {
            t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        } else {
            if (t.getFloatDataCount() != n) {
                throw new CompressionException("tensor " + t.getName() + " has " + t.getFloatDataCount()
                        + " float values for shape " + t.getDimsList() + "; the model is corrupt");
            }
            for (int i = 0; i < n; i++) {
                out[i] = t.getFloatData(i);
            }
        }
        return out;
    }

    static TensorProto floatTensor(String name, float[] values, long... dims) {
        return dev.otimo.onnx.GraphBuilder.floatTensor(name, values, dims);
    }

    static TensorProto int8Tensor(String name, byte[] values, long... dims) {
        return tensor(name, TensorProto.DataType.INT8, values, dims);
    }

    static TensorProto uint8Tensor(String name, byte[] values, long... dims) {
        return tensor(name, TensorProto.DataType.UINT8, values, dims);
    }

    static TensorProto int32Tensor(String name, int[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asIntBuffer().put(values);
        return tensor(name, TensorProto.DataType.INT32, raw.array(), dims);
    }

    static TensorProto int64Tensor(String name, long[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        return tensor(name, TensorProto.DataType.INT64, raw.array(), dims);
    }

    /** A FLOAT16 tensor with the same name, shape and (rounded) values as a FLOAT one. */
    static TensorProto toFloat16(TensorProto t) {
        float[] values = floats(t);
        ByteBuffer raw = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putShort(Fp16Conversions.floatToFp16(clampToHalf(v)));
        }
        return tensor(t.getName(), TensorProto.DataType.FLOAT16, raw.array(), dims(t));
    }

    /**
     * The element count of a tensor whose data is inside the model, checked against its
     * {@code raw_data} when it has one.
     */
    private static int embeddedElements(TensorProto t, int bytesPerValue, String kind) {
        if (isExternal(t)) {
            throw new CompressionException("tensor " + t.getName() + " keeps its data in an external file;"
                    + " upload the model with its weights embedded");
        }
        int n = Math.toIntExact(elementCount(t));
        if (!t.getRawData().isEmpty() && t.getRawData().size() != (long) n * bytesPerValue) {
            throw new CompressionException("tensor " + t.getName() + " has " + t.getRawData().size()
                    + " bytes of data for " + n + " " + kind + " values; the model is corrupt");
        }
        return n;
    }

    /** Why a node's weight cannot be quantized for its type alone ({@code w} null: not a constant), or null. */
    static String weightTypeProblem(TensorProto w) {
        if (w == null) {
            return "weights not constant";
        }
        if (isHalf(w)) {
            return "weights are FLOAT16";
        }
        if (!isFloat(w)) {
            return "weights are " + TensorProto.DataType.forNumber(w.getDataType());
        }
        return null;
    }

    static boolean isHalf(TensorProto t) {
        return t.getDataType() == TensorProto.DataType.FLOAT16.getNumber();
    }

    /**
     * A FLOAT tensor with the same name, shape and values as a FLOAT16 one; the half values come from
     * {@code raw_data} or, one per element, from the low 16 bits of {@code int32_data}.
     */
    static TensorProto toFloat32(TensorProto t) {
        if (!isHalf(t)) {
            throw new IllegalArgumentException("tensor " + t.getName() + " is not FLOAT16");
        }
        int n = embeddedElements(t, 2, "float16");
        float[] out = new float[n];
        if (!t.getRawData().isEmpty()) {
            ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                out[i] = Fp16Conversions.fp16ToFloat(raw.getShort());
            }
        } else {
            if (t.getInt32DataCount() != n) {
                throw new CompressionException("tensor " + t.getName() + " has " + t.getInt32DataCount()
                        + " float16 values for shape " + t.getDimsList() + "; the model is corrupt");
            }
            for (int i = 0; i < n; i++) {
                out[i] = Fp16Conversions.fp16ToFloat((short) t.getInt32Data(i));
            }
        }
        TensorProto f = floatTensor(t.getName(), out, dims(t));
        return t.getDocString().isEmpty() ? f : f.toBuilder().setDocString(t.getDocString()).build();
    }

    /** Saturates to the largest finite half value instead of overflowing to infinity. */
    static float clampToHalf(float v) {
        if (Float.isNaN(v)) {
            return v;
        }
        return Math.max(-65504f, Math.min(65504f, v));
    }

    static TensorProto tensor(String name, TensorProto.DataType type, byte[] littleEndian, long... dims) {
        return dev.otimo.onnx.GraphBuilder.tensor(name, type, littleEndian, dims);
    }

    static TensorProto scalarFloat(String name, float value) {
        return floatTensor(name, new float[] {value});
    }

    static List<Long> list(long... dims) {
        return java.util.Arrays.stream(dims).boxed().toList();
    }

    static FloatBuffer asFloatBuffer(float[] values) {
        return FloatBuffer.wrap(values);
    }
}
