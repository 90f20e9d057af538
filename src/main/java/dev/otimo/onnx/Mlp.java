package dev.otimo.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A multilayer perceptron as an ONNX graph: {@code depth} MatMul + Add layers with Relu between
 * them, He-initialised from a seed. Input {@code input} FP32 [batch, width]; output {@code output}
 * FP32 [batch, outputs]. The fixture for benchmarks, tests and compression.
 */
public final class Mlp {

    private Mlp() {
    }

    /** An MLP of {@code depth} square layers of {@code width}, e.g. 4×1024 (16 MB of float weights). */
    public static ModelProto square(int width, int depth, long seed) {
        int[] sizes = new int[depth + 1];
        java.util.Arrays.fill(sizes, width);
        return layered("mlp_" + depth + "x" + width, sizes, seed);
    }

    /**
     * An MLP whose layer sizes are {@code sizes[0]} (input) through {@code sizes[n]} (output).
     */
    public static ModelProto layered(String name, int[] sizes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        GraphBuilder g = GraphBuilder.named(name)
                .input("input", TensorProto.DataType.FLOAT, -1, sizes[0])
                .output("output", TensorProto.DataType.FLOAT, -1, sizes[sizes.length - 1]);
        String current = "input";
        for (int layer = 0; layer < sizes.length - 1; layer++) {
            int in = sizes[layer];
            int out = sizes[layer + 1];
            float[] w = new float[in * out];
            double std = Math.sqrt(2.0 / in);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (gaussian(random) * std);
            }
            float[] b = new float[out];
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (gaussian(random) * 0.01);
            }
            boolean last = layer == sizes.length - 2;
            String mm = "mm" + layer;
            String added = last ? "output" : "add" + layer;
            g.initializer("w" + layer, w, in, out).initializer("b" + layer, b, out)
                    .node("MatMul", List.of(current, "w" + layer), List.of(mm))
                    .node("Add", List.of(mm, "b" + layer), List.of(added));
            if (!last) {
                g.node("Relu", List.of(added), List.of("relu" + layer));
                current = "relu" + layer;
            }
        }
        return g.build();
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
