package dev.otimo.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor travelling through Otimo: v2 datatype, concrete shape and its elements, row-major.
 * Fixed-width types keep their elements in a little-endian {@link ByteBuffer} (no boxing); BYTES
 * keeps one byte array per element.
 */
public final class Tensor {

    private final String name;
    private final DataType datatype;
    private final long[] shape;
    private final ByteBuffer data;
    private final byte[][] elements;

    private Tensor(String name, DataType datatype, long[] shape, ByteBuffer data, byte[][] elements) {
        this.name = name;
        this.datatype = datatype;
        this.shape = shape;
        this.data = data;
        this.elements = elements;
    }

    /** A fixed-width tensor over little-endian data positioned at 0 with limit = element count × width. */
    public static Tensor of(String name, DataType datatype, long[] shape, ByteBuffer data) {
        if (!datatype.isFixedWidth()) {
            throw new IllegalArgumentException("BYTES tensors hold byte strings, not a buffer");
        }
        return new Tensor(name, datatype, shape.clone(), data.order(ByteOrder.LITTLE_ENDIAN), null);
    }

    public static Tensor ofBytes(String name, long[] shape, byte[][] elements) {
        return new Tensor(name, DataType.BYTES, shape.clone(), null, elements);
    }

    public static Tensor ofFloats(String name, long[] shape, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return of(name, DataType.FP32, shape, b);
    }

    /** A copy owning exactly its own data (a slice of a larger request body is not kept alive). */
    public Tensor compactCopy() {
        if (datatype == DataType.BYTES) {
            return new Tensor(name, datatype, shape, null, elements.clone());
        }
        ByteBuffer copy = ByteBuffer.allocate(data.limit()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(data());
        copy.flip();
        return new Tensor(name, datatype, shape, copy, null);
    }

    public Tensor renamed(String newName) {
        return new Tensor(newName, datatype, shape, data, elements);
    }

    public String name() {
        return name;
    }

    public DataType datatype() {
        return datatype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long dim(int axis) {
        return shape[axis];
    }

    public int rank() {
        return shape.length;
    }

    /** The little-endian element bytes (a read-only view positioned at 0); fixed-width types only. */
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN).position(0);
    }

    /** The backing buffer itself, for zero-copy hand-over to ONNX Runtime when it is direct. */
    ByteBuffer backing() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(0);
    }

    /** The elements of a BYTES tensor. */
    public byte[][] elements() {
        return elements;
    }

    public long elementCount() {
        return elementCount(shape);
    }

    /** Element {@code index} (row-major) as a double, whatever the fixed-width type; BYTES has no numeric elements. */
    public double valueAt(int index) {
        ByteBuffer b = data;
        return switch (datatype) {
            case BOOL, INT8 -> b.get(index);
            case UINT8 -> b.get(index) & 0xff;
            case INT16 -> b.getShort(index * 2);
            case UINT16 -> b.getShort(index * 2) & 0xffff;
            case INT32 -> b.getInt(index * 4);
            case UINT32 -> b.getInt(index * 4) & 0xffffffffL;
            case INT64 -> b.getLong(index * 8);
            case UINT64 -> {
                long v = b.getLong(index * 8);
                yield v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
            }
            case FP16 -> ai.onnxruntime.platform.Fp16Conversions.fp16ToFloat(b.getShort(index * 2));
            case FP32 -> b.getFloat(index * 4);
            case FP64 -> b.getDouble(index * 8);
            case BYTES -> throw new IllegalStateException(name + " is BYTES: no numeric elements");
        };
    }

    /** Size in bytes of the element data (BYTES: sum of element lengths). */
    public long byteSize() {
        if (datatype.isFixedWidth()) {
            return (long) data.limit();
        }
        long total = 0;
        for (byte[] e : elements) {
            total += e.length;
        }
        return total;
    }

    public float[] toFloatArray() {
        if (datatype != DataType.FP32) {
            throw new IllegalStateException(name + " is " + datatype + ", not FP32");
        }
        float[] out = new float[(int) elementCount()];
        data().asFloatBuffer().get(out);
        return out;
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return name + ":" + datatype + Arrays.toString(shape);
    }
}
