package dev.otimo.compression;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;

import java.nio.Buffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * One input tensor held on the Java heap: element type, shape and row-major values. Calibration
 * samples and evaluation inputs are made of these, so that they can be kept, batched and reused
 * without holding native ONNX Runtime memory.
 */
public record TensorData(OnnxJavaType type, long[] shape, Buffer data) {

    public TensorData {
        long count = elementCount(shape);
        if (data.remaining() != count) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + count
                    + " values, got " + data.remaining());
        }
        if (type != OnnxJavaType.FLOAT && type != OnnxJavaType.INT64 && type != OnnxJavaType.INT32) {
            throw new IllegalArgumentException("unsupported tensor type " + type);
        }
        shape = shape.clone();
    }

    public static TensorData ofFloats(float[] values, long... shape) {
        return new TensorData(OnnxJavaType.FLOAT, shape, FloatBuffer.wrap(values));
    }

    public static TensorData ofLongs(long[] values, long... shape) {
        return new TensorData(OnnxJavaType.INT64, shape, LongBuffer.wrap(values));
    }

    public static TensorData ofInts(int[] values, long... shape) {
        return new TensorData(OnnxJavaType.INT32, shape, IntBuffer.wrap(values));
    }

    /** Copies an ONNX Runtime tensor of float, int64 or int32 onto the heap. */
    public static TensorData copyOf(OnnxTensor tensor) {
        long[] shape = tensor.getInfo().getShape();
        return switch (tensor.getInfo().type) {
            case FLOAT -> {
                FloatBuffer b = tensor.getFloatBuffer();
                float[] v = new float[b.remaining()];
                b.get(v);
                yield ofFloats(v, shape);
            }
            case INT64 -> {
                LongBuffer b = tensor.getLongBuffer();
                long[] v = new long[b.remaining()];
                b.get(v);
                yield ofLongs(v, shape);
            }
            case INT32 -> {
                IntBuffer b = tensor.getIntBuffer();
                int[] v = new int[b.remaining()];
                b.get(v);
                yield ofInts(v, shape);
            }
            default -> throw new CompressionException("input tensors of type " + tensor.getInfo().type
                    + " are not supported for calibration or evaluation");
        };
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Rows along dimension 0 (1 for a scalar). */
    public long rows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    public OnnxTensor toOnnxTensor(OrtEnvironment env) throws OrtException {
        return switch (type) {
            case FLOAT -> OnnxTensor.createTensor(env, ((FloatBuffer) data).duplicate(), shape);
            case INT64 -> OnnxTensor.createTensor(env, ((LongBuffer) data).duplicate(), shape);
            case INT32 -> OnnxTensor.createTensor(env, ((IntBuffer) data).duplicate(), shape);
            default -> throw new IllegalStateException(type.toString());
        };
    }

    /** Rows {@code [from, to)} along dimension 0, copied. */
    public TensorData rows(int from, int to) {
        if (shape.length == 0 || from < 0 || to > shape[0] || from >= to) {
            throw new IllegalArgumentException("rows " + from + ".." + to + " of " + Arrays.toString(shape));
        }
        long[] out = shape.clone();
        out[0] = to - from;
        int width = (int) (elementCount(shape) / shape[0]);
        int n = (to - from) * width;
        return switch (type) {
            case FLOAT -> {
                float[] v = new float[n];
                ((FloatBuffer) data).duplicate().position(from * width).get(v);
                yield ofFloats(v, out);
            }
            case INT64 -> {
                long[] v = new long[n];
                ((LongBuffer) data).duplicate().position(from * width).get(v);
                yield ofLongs(v, out);
            }
            default -> {
                int[] v = new int[n];
                ((IntBuffer) data).duplicate().position(from * width).get(v);
                yield ofInts(v, out);
            }
        };
    }

    /** Joins tensors of equal type and trailing shape along dimension 0. */
    public static TensorData concat(List<TensorData> parts) {
        TensorData first = parts.get(0);
        long rows = 0;
        for (TensorData p : parts) {
            if (p.type != first.type || p.shape.length != first.shape.length || p.shape.length == 0
                    || !Arrays.equals(p.shape, 1, p.shape.length, first.shape, 1, first.shape.length)) {
                throw new CompressionException("samples differ in type or shape beyond the batch dimension: "
                        + Arrays.toString(first.shape) + " and " + Arrays.toString(p.shape));
            }
            rows += p.shape[0];
        }
        long[] shape = first.shape.clone();
        shape[0] = rows;
        int total = Math.toIntExact(elementCount(shape));
        return switch (first.type) {
            case FLOAT -> {
                FloatBuffer out = FloatBuffer.allocate(total);
                parts.forEach(p -> out.put(((FloatBuffer) p.data).duplicate()));
                yield new TensorData(first.type, shape, out.flip());
            }
            case INT64 -> {
                LongBuffer out = LongBuffer.allocate(total);
                parts.forEach(p -> out.put(((LongBuffer) p.data).duplicate()));
                yield new TensorData(first.type, shape, out.flip());
            }
            default -> {
                IntBuffer out = IntBuffer.allocate(total);
                parts.forEach(p -> out.put(((IntBuffer) p.data).duplicate()));
                yield new TensorData(first.type, shape, out.flip());
            }
        };
    }

    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }
}
