package dev.otimo.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;

import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Conversion between Otimo tensors and ONNX Runtime tensors. Fixed-width data goes through direct
 * buffers; unsigned types wider than a byte travel in the signed containers of
 * {@link UnsignedIoAdapter}.
 */
final class OrtTensors {

    private OrtTensors() {
    }

    static OnnxTensor toOrt(OrtEnvironment env, Tensor t) throws OrtException {
        long[] shape = t.shape();
        if (t.datatype() == DataType.BYTES) {
            byte[][] elements = t.elements();
            String[] strings = new String[elements.length];
            for (int i = 0; i < elements.length; i++) {
                strings[i] = new String(elements[i], StandardCharsets.UTF_8);
            }
            return OnnxTensor.createTensor(env, strings, shape);
        }
        DataType container = UnsignedIoAdapter.container(t.datatype());
        ByteBuffer src = t.data();
        ByteBuffer direct;
        ByteBuffer backing = t.backing();
        if (container == null && backing.isDirect() && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            // already stacked into a direct buffer by the batcher: no second copy
            return OnnxTensor.createTensor(env, backing, shape, javaType(t.datatype()));
        }
        if (container == null || t.datatype() == DataType.UINT64) {
            direct = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
            copyLittleEndian(src, direct, t.datatype().byteSize());
        } else {
            direct = widenUnsigned(src, t.datatype(), container);
        }
        direct.rewind();
        return OnnxTensor.createTensor(env, direct, shape, javaType(container == null ? t.datatype() : container));
    }

    static Tensor fromOrt(String name, DataType declared, OnnxTensor value) throws OrtException {
        TensorInfo info = value.getInfo();
        long[] shape = info.getShape();
        if (declared == DataType.BYTES || info.type == OnnxJavaType.STRING) {
            Object nested = value.getValue();
            byte[][] flat = new byte[(int) Tensor.elementCount(shape)][];
            flatten(nested, flat, new int[] {0});
            return Tensor.ofBytes(name, shape, flat);
        }
        ByteBuffer raw = value.getByteBuffer().order(ByteOrder.nativeOrder());
        DataType container = UnsignedIoAdapter.container(declared);
        ByteBuffer le;
        if (container == null || declared == DataType.UINT64) {
            le = ByteBuffer.allocate(raw.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            copyLittleEndian(raw, le, declared.byteSize());
        } else {
            le = narrowUnsigned(raw, declared);
        }
        le.flip();
        return Tensor.of(name, declared, shape, le);
    }

    /** Copies elements of the given width between buffers whose byte orders may differ. */
    private static void copyLittleEndian(ByteBuffer src, ByteBuffer dst, int width) {
        if (src.order() == dst.order() || width == 1) {
            dst.put(src.duplicate());
            return;
        }
        ByteBuffer s = src.duplicate();
        while (s.hasRemaining()) {
            switch (width) {
                case 2 -> dst.putShort(s.getShort());
                case 4 -> dst.putInt(s.getInt());
                default -> dst.putLong(s.getLong());
            }
        }
    }

    private static ByteBuffer widenUnsigned(ByteBuffer src, DataType type, DataType container) {
        int n = src.remaining() / type.byteSize();
        ByteBuffer out = ByteBuffer.allocateDirect(n * container.byteSize()).order(ByteOrder.nativeOrder());
        ByteBuffer s = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            if (type == DataType.UINT16) {
                out.putInt(Short.toUnsignedInt(s.getShort()));
            } else {
                out.putLong(Integer.toUnsignedLong(s.getInt()));
            }
        }
        return out;
    }

    private static ByteBuffer narrowUnsigned(ByteBuffer raw, DataType declared) {
        DataType container = UnsignedIoAdapter.container(declared);
        int n = raw.remaining() / container.byteSize();
        ByteBuffer out = ByteBuffer.allocate(n * declared.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            if (declared == DataType.UINT16) {
                out.putShort((short) raw.getInt());
            } else {
                out.putInt((int) raw.getLong());
            }
        }
        return out;
    }

    private static void flatten(Object nested, byte[][] out, int[] index) {
        if (nested instanceof String s) {
            out[index[0]++] = s.getBytes(StandardCharsets.UTF_8);
            return;
        }
        int length = Array.getLength(nested);
        for (int i = 0; i < length; i++) {
            flatten(Array.get(nested, i), out, index);
        }
    }

    static OnnxJavaType javaType(DataType type) {
        return switch (type) {
            case BOOL -> OnnxJavaType.BOOL;
            case UINT8 -> OnnxJavaType.UINT8;
            case INT8 -> OnnxJavaType.INT8;
            case INT16 -> OnnxJavaType.INT16;
            case INT32 -> OnnxJavaType.INT32;
            case INT64, UINT64 -> OnnxJavaType.INT64;
            case FP16 -> OnnxJavaType.FLOAT16;
            case FP32 -> OnnxJavaType.FLOAT;
            case FP64 -> OnnxJavaType.DOUBLE;
            case BYTES -> OnnxJavaType.STRING;
            case UINT16, UINT32 -> throw new IllegalArgumentException(type + " travels in a signed container");
        };
    }
}
