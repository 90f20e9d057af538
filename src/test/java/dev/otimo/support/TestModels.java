package dev.otimo.support;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.otimo.onnx.GraphBuilder;
import dev.otimo.runtime.DataType;

import java.util.List;

/** Small ONNX models built in code for the tests. */
public final class TestModels {

    private TestModels() {
    }

    /** y = x for a [batch, 3] tensor of the given type. */
    public static byte[] echo(DataType type) {
        return GraphBuilder.named("echo_" + type)
                .input("x", type.onnx(), -1, 3)
                .output("y", type.onnx(), -1, 3)
                .node("Identity", List.of("x"), List.of("y"))
                .toBytes();
    }

    /** y = Cast(x) from one type to another, [batch, 3]. */
    public static byte[] cast(DataType from, DataType to) {
        return GraphBuilder.named("cast_" + from + "_" + to)
                .input("x", from.onnx(), -1, 3)
                .output("y", to.onnx(), -1, 3)
                .node("Cast", List.of("x"), List.of("y"), GraphBuilder.attr("to", (long) to.onnx().getNumber()))
                .toBytes();
    }

    /**
     * Two inputs, two outputs: sum = a + b and scaled = a * 2, all FP32 [batch, 4]. For output
     * selection and multi-input checks.
     */
    public static byte[] sumAndScale() {
        return GraphBuilder.named("sum_and_scale")
                .input("a", TensorProto.DataType.FLOAT, -1, 4)
                .input("b", TensorProto.DataType.FLOAT, -1, 4)
                .output("sum", TensorProto.DataType.FLOAT, -1, 4)
                .output("scaled", TensorProto.DataType.FLOAT, -1, 4)
                .initializer("two", new float[] {2f})
                .node("Add", List.of("a", "b"), List.of("sum"))
                .node("Mul", List.of("a", "two"), List.of("scaled"))
                .toBytes();
    }

    /** y = relu(x) * 3 over [batch, n] with n dynamic: outputs whose non-batch dim follows the input. */
    public static byte[] dynamicWidth() {
        return GraphBuilder.named("dynamic_width")
                .input("x", TensorProto.DataType.FLOAT, -1, -1)
                .output("y", TensorProto.DataType.FLOAT, -1, -1)
                .initializer("three", new float[] {3f})
                .node("Relu", List.of("x"), List.of("r"))
                .node("Mul", List.of("r", "three"), List.of("y"))
                .toBytes();
    }

    /** A scalar input (no batch axis): y = x + 1. Not batchable. */
    public static byte[] scalar() {
        return GraphBuilder.named("scalar")
                .input("x", TensorProto.DataType.FLOAT)
                .output("y", TensorProto.DataType.FLOAT)
                .initializer("one", new float[] {1f})
                .node("Add", List.of("x", "one"), List.of("y"))
                .toBytes();
    }

    /** Batch along axis 1: x [3, batch] → column sums [batch]... axis 0 fixed, so not batchable. */
    public static byte[] batchOnAxis1() {
        return GraphBuilder.named("batch_axis_1")
                .input("x", TensorProto.DataType.FLOAT, 3, -1)
                .output("y", TensorProto.DataType.FLOAT, 3, -1)
                .initializer("ten", new float[] {10f})
                .node("Mul", List.of("x", "ten"), List.of("y"))
                .toBytes();
    }

    /**
     * A model that takes a noticeable time per run whatever its input: x [1, 1] is expanded to a
     * 1024×1024 matrix and multiplied {@code rounds} times by a 1024×1024 weight.
     */
    public static byte[] slow(int rounds) {
        float[] w = new float[1024 * 1024];
        for (int i = 0; i < 1024; i++) {
            w[i * 1024 + i] = 1f;
        }
        GraphBuilder g = GraphBuilder.named("slow")
                .input("x", TensorProto.DataType.FLOAT, 1, 1)
                .output("y", TensorProto.DataType.FLOAT, 1, 1)
                .initializer("w", w, 1024, 1024)
                .initializer("shape", new long[] {1024, 1024}, 2)
                .node("Expand", List.of("x", "shape"), List.of("m0"));
        for (int i = 0; i < rounds; i++) {
            g.node("MatMul", List.of("m" + i, "w"), List.of("m" + (i + 1)));
        }
        return g.node("ReduceMean", List.of("m" + rounds), List.of("y"), GraphBuilder.attr("keepdims", 1L)).toBytes();
    }
}
