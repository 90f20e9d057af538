package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.otimo.onnx.GraphBuilder;
import dev.otimo.onnx.Mlp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Models built in code for the compression tests, and helpers to run and compare them. */
final class TestModels {

    private TestModels() {
    }

    static ModelProto mlp() {
        return Mlp.layered("mlp", new int[] {64, 128, 128, 10}, 7);
    }

    /** Gemm with transB=1, alpha and beta not 1 and a bias, then a second Gemm without bias. */
    static ModelProto gemm() {
        SplittableRandom r = new SplittableRandom(3);
        return GraphBuilder.named("gemm")
                .input("x", TensorProto.DataType.FLOAT, -1, 32)
                .output("y", TensorProto.DataType.FLOAT, -1, 8)
                .initializer("w1", gaussian(r, 16 * 32, 0.25), 16, 32)
                .initializer("c1", gaussian(r, 16, 0.1), 16)
                .initializer("w2", gaussian(r, 16 * 8, 0.25), 16, 8)
                .node("Gemm", List.of("x", "w1", "c1"), List.of("h"), GraphBuilder.attr("transB", 1L),
                        GraphBuilder.attr("alpha", 0.5f), GraphBuilder.attr("beta", 2f))
                .node("Relu", List.of("h"), List.of("r"))
                .node("Gemm", List.of("r", "w2"), List.of("y"))
                .build();
    }

    /**
     * A small image classifier: Conv+BN+Relu, MaxPool, two Conv+Relu branches added, Concat,
     * GlobalAveragePool, Flatten, Gemm, Softmax. Input [N, 3, 16, 16], output [N, 10].
     */
    static ModelProto cnn() {
        SplittableRandom r = new SplittableRandom(11);
        GraphBuilder g = GraphBuilder.named("cnn").opset(13)
                .input("image", TensorProto.DataType.FLOAT, -1, 3, 16, 16)
                .output("probs", TensorProto.DataType.FLOAT, -1, 10)
                .initializer("k1", gaussian(r, 16 * 3 * 9, Math.sqrt(2.0 / 27)), 16, 3, 3, 3)
                .initializer("b1", gaussian(r, 16, 0.05), 16)
                .initializer("bn_scale", uniform(r, 16, 0.8, 1.2), 16)
                .initializer("bn_bias", gaussian(r, 16, 0.1), 16)
                .initializer("bn_mean", gaussian(r, 16, 0.1), 16)
                .initializer("bn_var", uniform(r, 16, 0.5, 1.5), 16)
                .initializer("k2", gaussian(r, 16 * 16 * 9, Math.sqrt(2.0 / 144)), 16, 16, 3, 3)
                .initializer("b2", gaussian(r, 16, 0.05), 16)
                .initializer("k3", gaussian(r, 16 * 16, Math.sqrt(2.0 / 16)), 16, 16, 1, 1)
                .initializer("b3", gaussian(r, 16, 0.05), 16)
                .initializer("k4", gaussian(r, 16 * 1 * 9, Math.sqrt(2.0 / 9)), 16, 1, 3, 3)
                .initializer("fc", gaussian(r, 10 * 32, Math.sqrt(1.0 / 32)), 10, 32)
                .initializer("fc_b", gaussian(r, 10, 0.05), 10)
                .initializer("flat_shape", new long[] {0, -1}, 2)
                .initializer("clip_min", new float[] {0f})
                .initializer("clip_max", new float[] {6f})
                .node("Conv", List.of("image", "k1", "b1"), List.of("c1"), GraphBuilder.attr("pads", new long[] {1, 1, 1, 1}))
                .node("BatchNormalization", List.of("c1", "bn_scale", "bn_bias", "bn_mean", "bn_var"), List.of("n1"))
                .node("Relu", List.of("n1"), List.of("r1"))
                .node("MaxPool", List.of("r1"), List.of("p1"), GraphBuilder.attr("kernel_shape", new long[] {2, 2}),
                        GraphBuilder.attr("strides", new long[] {2, 2}))
                .node("Conv", List.of("p1", "k2", "b2"), List.of("c2"), GraphBuilder.attr("pads", new long[] {1, 1, 1, 1}))
                .node("Relu", List.of("c2"), List.of("r2"))
                .node("Conv", List.of("p1", "k3", "b3"), List.of("c3"))
                .node("Clip", List.of("c3", "clip_min", "clip_max"), List.of("r3"))
                .node("Add", List.of("r2", "r3"), List.of("s"))
                .node("Conv", List.of("s", "k4"), List.of("d"), GraphBuilder.attr("group", 16L),
                        GraphBuilder.attr("pads", new long[] {1, 1, 1, 1}))
                .node("Relu", List.of("d"), List.of("rd"))
                .node("Concat", List.of("s", "rd"), List.of("cat"), GraphBuilder.attr("axis", 1L))
                .node("GlobalAveragePool", List.of("cat"), List.of("gap"))
                .node("Reshape", List.of("gap", "flat_shape"), List.of("flat"))
                .node("Gemm", List.of("flat", "fc", "fc_b"), List.of("logits"), GraphBuilder.attr("transB", 1L))
                .node("Softmax", List.of("logits"), List.of("probs"), GraphBuilder.attr("axis", 1L));
        return g.build();
    }

    /**
     * A pre-activation dense block (DenseNet style): each layer normalises the concatenation of all earlier
     * feature maps (BatchNormalization, Relu), convolves it, and appends the result; a last normalisation
     * precedes the pooling and the classifier. The normalisations
     * follow a Concat, not a Conv, so no Conv can absorb them; the Concats join a pooled Relu output (x0)
     * with Conv outputs that go negative. Input [N, 3, 16, 16], output [N, 10].
     */
    static ModelProto denseBlock() {
        SplittableRandom r = new SplittableRandom(21);
        GraphBuilder g = GraphBuilder.named("dense").opset(13)
                .input("image", TensorProto.DataType.FLOAT, -1, 3, 16, 16)
                .output("logits", TensorProto.DataType.FLOAT, -1, 10)
                .initializer("k0", gaussian(r, 8 * 3 * 9, Math.sqrt(2.0 / 27)), 8, 3, 3, 3)
                .node("Conv", List.of("image", "k0"), List.of("c0"), GraphBuilder.attr("pads", new long[] {1, 1, 1, 1}))
                .node("Relu", List.of("c0"), List.of("r0"))
                .node("MaxPool", List.of("r0"), List.of("x0"), GraphBuilder.attr("kernel_shape", new long[] {3, 3}),
                        GraphBuilder.attr("pads", new long[] {1, 1, 1, 1}));
        String features = "x0";
        int channels = 8;
        for (int layer = 1; layer <= 3; layer++) {
            String p = "l" + layer + "_";
            g.initializer(p + "scale", uniform(r, channels, 0.8, 1.2), channels)
                    .initializer(p + "bias", gaussian(r, channels, 0.2), channels)
                    .initializer(p + "mean", gaussian(r, channels, 0.2), channels)
                    .initializer(p + "var", uniform(r, channels, 0.5, 1.5), channels)
                    .initializer(p + "k", gaussian(r, 4 * channels * 9, Math.sqrt(2.0 / (channels * 9))), 4, channels, 3, 3)
                    .initializer(p + "b", gaussian(r, 4, 0.05), 4)
                    .node("BatchNormalization", List.of(features, p + "scale", p + "bias", p + "mean", p + "var"),
                            List.of(p + "norm"))
                    .node("Relu", List.of(p + "norm"), List.of(p + "act"))
                    .node("Conv", List.of(p + "act", p + "k", p + "b"), List.of(p + "new"),
                            GraphBuilder.attr("pads", new long[] {1, 1, 1, 1}))
                    .node("Concat", List.of(features, p + "new"), List.of(p + "cat"), GraphBuilder.attr("axis", 1L));
            features = p + "cat";
            channels += 4;
        }
        return g.initializer("fc", gaussian(r, 10 * channels, Math.sqrt(1.0 / channels)), 10, channels)
                .initializer("fc_b", gaussian(r, 10, 0.05), 10)
                .initializer("norm_scale", uniform(r, channels, 0.8, 1.2), channels)
                .initializer("norm_bias", gaussian(r, channels, 0.2), channels)
                .initializer("norm_mean", gaussian(r, channels, 0.2), channels)
                .initializer("norm_var", uniform(r, channels, 0.5, 1.5), channels)
                .node("BatchNormalization", List.of(features, "norm_scale", "norm_bias", "norm_mean", "norm_var"),
                        List.of("norm"))
                .node("Relu", List.of("norm"), List.of("norm_act"))
                .node("GlobalAveragePool", List.of("norm_act"), List.of("gap"))
                .node("Flatten", List.of("gap"), List.of("flat"))
                .node("Gemm", List.of("flat", "fc", "fc_b"), List.of("logits"), GraphBuilder.attr("transB", 1L))
                .build();
    }

    /**
     * A small CNN as published models come: three Conv + Relu, MaxPool, GlobalAveragePool, Flatten and a Gemm
     * head. With {@code half}, every weight is stored as FLOAT16 and Casts turn the float32 input into float16
     * and the logits back, so clients still send and receive float32. Input [N, 3, 16, 16], output [N, 10].
     */
    static ModelProto publishedCnn(boolean half) {
        SplittableRandom r = new SplittableRandom(17);
        GraphBuilder g = GraphBuilder.named(half ? "cnn_fp16" : "cnn_fp32").opset(13)
                .input("image", TensorProto.DataType.FLOAT, -1, 3, 16, 16)
                .output("logits", TensorProto.DataType.FLOAT, -1, 10);
        weight(g, half, "k1", gaussian(r, 8 * 3 * 9, Math.sqrt(2.0 / 27)), 8, 3, 3, 3);
        weight(g, half, "b1", gaussian(r, 8, 0.05), 8);
        weight(g, half, "k2", gaussian(r, 16 * 8 * 9, Math.sqrt(2.0 / 72)), 16, 8, 3, 3);
        weight(g, half, "b2", gaussian(r, 16, 0.05), 16);
        weight(g, half, "k3", gaussian(r, 16 * 16, Math.sqrt(2.0 / 16)), 16, 16, 1, 1);
        weight(g, half, "b3", gaussian(r, 16, 0.05), 16);
        weight(g, half, "fc", gaussian(r, 10 * 16, Math.sqrt(1.0 / 16)), 10, 16);
        weight(g, half, "fc_b", gaussian(r, 10, 0.05), 10);
        String in = "image";
        if (half) {
            g.node("Cast", List.of("image"), List.of("image_fp16"),
                    GraphBuilder.attr("to", (long) TensorProto.DataType.FLOAT16.getNumber()));
            in = "image_fp16";
        }
        g.node("Conv", List.of(in, "k1", "b1"), List.of("c1"), GraphBuilder.attr("pads", new long[] {1, 1, 1, 1}))
                .node("Relu", List.of("c1"), List.of("r1"))
                .node("MaxPool", List.of("r1"), List.of("p1"), GraphBuilder.attr("kernel_shape", new long[] {2, 2}),
                        GraphBuilder.attr("strides", new long[] {2, 2}))
                .node("Conv", List.of("p1", "k2", "b2"), List.of("c2"), GraphBuilder.attr("pads", new long[] {1, 1, 1, 1}))
                .node("Relu", List.of("c2"), List.of("r2"))
                .node("Conv", List.of("r2", "k3", "b3"), List.of("c3"))
                .node("Relu", List.of("c3"), List.of("r3"))
                .node("GlobalAveragePool", List.of("r3"), List.of("gap"))
                .node("Flatten", List.of("gap"), List.of("flat"))
                .node("Gemm", List.of("flat", "fc", "fc_b"), List.of(half ? "logits_fp16" : "logits"),
                        GraphBuilder.attr("transB", 1L));
        if (half) {
            g.node("Cast", List.of("logits_fp16"), List.of("logits"),
                    GraphBuilder.attr("to", (long) TensorProto.DataType.FLOAT.getNumber()));
        }
        return g.build();
    }

    /** {@link #publishedCnn} already quantized: DynamicQuantizeLinear + ConvInteger, as int8-dynamic makes it. */
    static ModelProto quantizedCnn() {
        return new Int8DynamicQuantization().apply(publishedCnn(false), TransformOptions.empty(),
                CalibrationData.none()).model();
    }

    private static void weight(GraphBuilder g, boolean half, String name, float[] values, long... dims) {
        if (!half) {
            g.initializer(name, values, dims);
            return;
        }
        java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(values.length * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putShort(ai.onnxruntime.platform.Fp16Conversions.floatToFp16(v));
        }
        g.initializer(name, TensorProto.DataType.FLOAT16, raw.array(), dims);
    }

    /**
     * Six times: double the activations (Add of a tensor to itself) then Tanh, on wide rows. int8-static
     * quantizes the Adds but not the Tanhs, so every Tanh reads a DequantizeLinear and feeds a QuantizeLinear:
     * the child does more work than the parent and holds more nodes and constants, so it gains nothing.
     * Input and output [N, 4096].
     */
    static ModelProto requantizingChain() {
        GraphBuilder g = GraphBuilder.named("chain").opset(13)
                .input("x", TensorProto.DataType.FLOAT, -1, 4096)
                .output("y", TensorProto.DataType.FLOAT, -1, 4096);
        String in = "x";
        for (int i = 0; i < 6; i++) {
            g.node("Add", List.of(in, in), List.of("a" + i))
                    .node("Tanh", List.of("a" + i), List.of(i == 5 ? "y" : "t" + i));
            in = "t" + i;
        }
        return g.build();
    }

    /** A single Conv + Relu: nothing for the dense-layer quantizer to do. */
    static ModelProto convOnly() {
        SplittableRandom r = new SplittableRandom(2);
        return GraphBuilder.named("conv").opset(13)
                .input("image", TensorProto.DataType.FLOAT, -1, 3, 8, 8)
                .output("out", TensorProto.DataType.FLOAT, -1, 4, 8, 8)
                .initializer("k", gaussian(r, 4 * 3 * 9, 0.3), 4, 3, 3, 3)
                .node("Conv", List.of("image", "k"), List.of("c"), GraphBuilder.attr("pads", new long[] {1, 1, 1, 1}))
                .node("Relu", List.of("c"), List.of("out"))
                .build();
    }

    /** An MLP with a node from a custom operator domain. */
    static ModelProto withCustomOperator() {
        ModelProto m = mlp();
        NodeProto custom = NodeProto.newBuilder().setOpType("FancyGelu").setDomain("com.example").setName("fancy")
                .addInput("relu0").addOutput("fancy0").build();
        var graph = m.getGraph().toBuilder();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto n = graph.getNode(i);
            if (n.getInputList().contains("relu0")) {
                NodeProto.Builder b = n.toBuilder();
                for (int k = 0; k < b.getInputCount(); k++) {
                    if (b.getInput(k).equals("relu0")) {
                        b.setInput(k, "fancy0");
                    }
                }
                graph.setNode(i, b);
            }
        }
        graph.addNode(custom);
        return m.toBuilder().setGraph(graph).addOpsetImport(
                ai.onnx.proto.OnnxMl.OperatorSetIdProto.newBuilder().setDomain("com.example").setVersion(1)).build();
    }

    static byte[] corruptBytes() {
        byte[] good = mlp().toByteArray();
        byte[] bad = new byte[good.length / 3];
        System.arraycopy(good, good.length / 2, bad, 0, bad.length);
        for (int i = 0; i < bad.length; i += 7) {
            bad[i] ^= (byte) 0x5a;
        }
        return bad;
    }

    static Map<String, TensorData> randomInput(String name, long[] shape, long seed) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = gaussian(new SplittableRandom(seed), n, 1.0);
        Map<String, TensorData> m = new HashMap<>();
        m.put(name, TensorData.ofFloats(v, shape));
        return m;
    }

    static List<Map<String, TensorData>> samples(String name, long[] shape, int count, long seed) {
        List<Map<String, TensorData>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(randomInput(name, shape, seed + i));
        }
        return out;
    }

    /** Runs parent and child on the same inputs and compares their first outputs. */
    static OutputComparison compare(ModelProto parent, ModelProto child, List<Map<String, TensorData>> inputs) {
        OutputComparison cmp = new OutputComparison();
        try (ScoringSession p = ScoringSession.open(parent.toByteArray(), 1);
             ScoringSession c = ScoringSession.open(child.toByteArray(), 1)) {
            String out = parent.getGraph().getOutput(0).getName();
            for (Map<String, TensorData> in : inputs) {
                cmp.add(p.run(in).get(out), c.run(in).get(out));
            }
        }
        return cmp;
    }

    /** The largest magnitude among the int8 initializers of a model (its quantized weights). */
    static int maxAbsInt8Weight(ModelProto m) {
        int max = 0;
        for (TensorProto t : m.getGraph().getInitializerList()) {
            if (t.getDataType() == TensorProto.DataType.INT8.getNumber()) {
                for (byte b : t.getRawData().toByteArray()) {
                    max = Math.max(max, Math.abs(b));
                }
            }
        }
        return max;
    }

    static long count(ModelProto m, String opType) {
        return m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(opType)).count();
    }

    static float[] gaussian(SplittableRandom r, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double u1 = 1.0 - r.nextDouble();
            double u2 = r.nextDouble();
            v[i] = (float) (Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2) * std);
        }
        return v;
    }

    static float[] uniform(SplittableRandom r, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + r.nextDouble() * (hi - lo));
        }
        return v;
    }
}
