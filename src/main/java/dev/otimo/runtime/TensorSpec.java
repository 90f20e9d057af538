package dev.otimo.runtime;

import java.util.Arrays;

/**
 * A named tensor in a model signature: v2 datatype and shape, -1 marking a dynamic dimension.
 */
public record TensorSpec(String name, DataType datatype, long[] shape) {

    public TensorSpec {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    /** True when the first axis exists and is dynamic, so requests can be stacked along it. */
    public boolean hasDynamicBatchAxis() {
        return shape.length > 0 && shape[0] < 0;
    }

    /** Whether a concrete shape is one this spec admits (same rank, fixed dims equal). */
    public boolean admits(long[] concrete) {
        if (concrete.length != shape.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] >= 0 && shape[i] != concrete[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && t.datatype == datatype && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + ":" + datatype + Arrays.toString(shape);
    }
}
