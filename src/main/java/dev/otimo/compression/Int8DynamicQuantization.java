package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.otimo.onnx.GraphBuilder;
import dev.otimo.runtime.CpuFeatures;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code int8-dynamic}: MatMul and Gemm nodes whose weight is a constant get int8 weights
 * (symmetric, per tensor or per output column); their activations are quantized to uint8 at run time
 * from each batch's own range, so no calibration data is needed.
 *
 * <p>Two equivalent encodings are produced, chosen by the {@code kernel} option:
 * <ul>
 *   <li>{@code fused} (default): one ONNX Runtime {@code com.microsoft.DynamicQuantizeMatMul} per layer,
 *       with the bias of a following Add or of the Gemm folded in;</li>
 *   <li>{@code integer}: standard ONNX {@code DynamicQuantizeLinear → MatMulInteger → Cast → Mul}
 *       (activation scale times weight scale), portable to any ONNX runtime.</li>
 * </ul>
 * At ONNX Runtime's default optimization level both load into the same fused kernel and run equally
 * fast (bench/COMPRESSION.md); at the {@code basic} level only the fused form stays fused, so it is the
 * default. It needs ONNX Runtime; {@code integer} suits other runtimes.
 */
public final class Int8DynamicQuantization implements Transform {

    public static final String NAME = "int8-dynamic";
    static final Set<String> OPTIONS = Set.of("perChannel", "kernel", "excludeNodes", WeightQuantizer.OPTION);
    static final Set<String> KERNELS = Set.of("fused", "integer");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void check(TransformOptions options, boolean hasCalibration) {
        options.requireOnly(NAME, OPTIONS);
        options.getBoolean("perChannel", false);
        options.getChoice("kernel", "fused", KERNELS);
        options.getChoice(WeightQuantizer.OPTION, "auto", WeightQuantizer.RANGES);
        options.getStringList("excludeNodes", List.of());
    }

    @Override
    public TransformResult apply(ModelProto model, TransformOptions options, CalibrationData calibration) {
        check(options, calibration != null && !calibration.isEmpty());
        boolean perChannel = options.getBoolean("perChannel", false);
        String kernel = options.getChoice("kernel", "fused", KERNELS);
        WeightQuantizer.Range range = WeightQuantizer.Range.of(options, CpuFeatures.host());
        Set<String> excluded = Set.copyOf(options.getStringList("excludeNodes", List.of()));
        OnnxModels.requireKnownOperators(model, NAME);

        GraphEditor g = GraphEditor.of(model);
        if (kernel.equals("integer") && g.opset("") < 11) {
            OpsetUpgrade.to(g, 11, NAME);
        }
        List<String> notes = new ArrayList<>();
        Map<String, String[]> quantizedActivations = new HashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        int quantized = 0;
        for (NodeProto node : List.copyOf(g.nodes)) {
            if (excluded.contains(node.getName()) || !GraphEditor.normalDomain(node.getDomain()).isEmpty()) {
                continue;
            }
            Layer layer = switch (node.getOpType()) {
                case "MatMul" -> matMulLayer(g, node);
                case "Gemm" -> gemmLayer(g, node, notes);
                default -> null;
            };
            if (layer == null) {
                continue;
            }
            WeightQuantizer.Quantized q = WeightQuantizer.symmetric(layer.weights, new long[] {layer.k, layer.n},
                    perChannel ? 1 : -1, range.qmax());
            float[] scales = q.scales().clone();
            for (int i = 0; i < scales.length; i++) {
                scales[i] *= layer.alpha;
            }
            String wName = g.addInitializer(Tensors.int8Tensor(layer.weightName + "_int8", q.values(), layer.k, layer.n));
            String sName = perChannel
                    ? g.addInitializer(Tensors.floatTensor(layer.weightName + "_scale", scales, layer.n))
                    : g.addInitializer(Tensors.floatTensor(layer.weightName + "_scale", scales));
            if (kernel.equals("fused")) {
                emitFused(g, layer, wName, sName);
            } else {
                emitInteger(g, layer, wName, sName, quantizedActivations);
            }
            counts.merge(node.getOpType(), 1, Integer::sum);
            quantized++;
        }
        if (quantized == 0) {
            throw new CompressionException(NAME + " found no MatMul or Gemm node with a constant float weight"
                    + " in model '" + model.getGraph().getName() + "'; nothing to quantize");
        }
        notes.add("quantized " + counts + " to int8 weights (" + (perChannel ? "per output column" : "per tensor")
                + ", symmetric) with uint8 activations quantized per batch at run time, kernel " + kernel);
        notes.add(range.note());
        if (kernel.equals("fused")) {
            notes.add("uses the ONNX Runtime operator com.microsoft.DynamicQuantizeMatMul; other ONNX runtimes"
                    + " need kernel=integer");
        }
        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put("quantizedNodes", quantized);
        extras.put("kernel", kernel);
        extras.put("perChannel", perChannel);
        extras.put("weightRange", range.applied());
        return new TransformResult(g.build(), extras, notes);
    }

    /** One MatMul/Gemm to replace: Y = alpha * (A x W[k,n]) + bias, removing {@code replaced} nodes. */
    private record Layer(NodeProto node, List<NodeProto> replaced, String activation, String weightName,
            float[] weights, int k, int n, float alpha, float[] bias, String biasTensor, String output) {
    }

    private static Layer matMulLayer(GraphEditor g, NodeProto mm) {
        TensorProto w = g.initializer(mm.getInput(1));
        if (w == null || !Tensors.isFloat(w) || w.getDimsCount() != 2) {
            return null;
        }
        int k = (int) w.getDims(0);
        int n = (int) w.getDims(1);
        float[] values = Tensors.floats(w);
        String output = mm.getOutput(0);
        List<NodeProto> replaced = new ArrayList<>(List.of(mm));
        float[] bias = null;
        // A following Add of a constant [n] vector is a bias that the fused kernel applies itself.
        List<NodeProto> readers = g.consumers(output);
        if (readers.size() == 1 && !g.graphOutputNames().contains(output)) {
            NodeProto add = readers.get(0);
            if (add.getOpType().equals("Add") && add.getInputCount() == 2) {
                String other = add.getInput(0).equals(output) ? add.getInput(1) : add.getInput(0);
                TensorProto b = g.initializer(other);
                if (b != null && Tensors.isFloat(b) && Tensors.elementCount(b) == n
                        && (b.getDimsCount() == 1 || b.getDimsCount() == 2 && b.getDims(0) == 1)) {
                    bias = Tensors.floats(b);
                    replaced.add(add);
                    output = add.getOutput(0);
                }
            }
        }
        return new Layer(mm, replaced, mm.getInput(0), mm.getInput(1), values, k, n, 1f, bias, null, output);
    }

    private static Layer gemmLayer(GraphEditor g, NodeProto gemm, List<String> notes) {
        TensorProto w = g.initializer(gemm.getInput(1));
        if (w == null || !Tensors.isFloat(w) || w.getDimsCount() != 2) {
            return null;
        }
        if (GraphEditor.intAttribute(gemm, "transA", 0) != 0) {
            notes.add("left Gemm '" + gemm.getName() + "' in float: transA=1 is not quantized");
            return null;
        }
        boolean transB = GraphEditor.intAttribute(gemm, "transB", 0) != 0;
        float alpha = GraphEditor.floatAttribute(gemm, "alpha", 1f);
        float beta = GraphEditor.floatAttribute(gemm, "beta", 1f);
        float[] values = Tensors.floats(w);
        int k = (int) (transB ? w.getDims(1) : w.getDims(0));
        int n = (int) (transB ? w.getDims(0) : w.getDims(1));
        if (transB) {
            values = WeightQuantizer.transpose(values, n, k);
        }
        float[] bias = null;
        String biasTensor = null;
        if (gemm.getInputCount() > 2 && !gemm.getInput(2).isEmpty()) {
            TensorProto c = g.initializer(gemm.getInput(2));
            if (c != null && Tensors.isFloat(c) && Tensors.elementCount(c) == n && c.getDimsCount() >= 1
                    && c.getDims(c.getDimsCount() - 1) == n) {
                bias = Tensors.floats(c);
                for (int i = 0; i < bias.length; i++) {
                    bias[i] *= beta;
                }
            } else if (beta == 1f) {
                biasTensor = gemm.getInput(2);
            } else {
                notes.add("left Gemm '" + gemm.getName() + "' in float: its C input is not a constant [N] bias"
                        + " and beta is not 1");
                return null;
            }
        }
        return new Layer(gemm, List.of(gemm), gemm.getInput(0), gemm.getInput(1), values, k, n, alpha, bias,
                biasTensor, gemm.getOutput(0));
    }

    private static void emitFused(GraphEditor g, Layer layer, String wName, String sName) {
        List<String> inputs = new ArrayList<>(List.of(layer.activation, wName, sName));
        String result = layer.output;
        if (layer.bias != null) {
            inputs.add("");
            inputs.add(g.addInitializer(Tensors.floatTensor(layer.weightName + "_bias", layer.bias, layer.n)));
        } else if (layer.biasTensor != null) {
            result = g.fresh(layer.output + "_nobias");
        }
        NodeProto fused = g.newNode("DynamicQuantizeMatMul", GraphEditor.MS_DOMAIN, inputs, List.of(result));
        replaceAll(g, layer, fused);
        if (layer.biasTensor != null) {
            g.add("Add", List.of(result, layer.biasTensor), List.of(layer.output));
        }
        g.requireOpset(GraphEditor.MS_DOMAIN, 1);
    }

    private static void emitInteger(GraphEditor g, Layer layer, String wName, String sName,
            Map<String, String[]> quantizedActivations) {
        String[] aq = quantizedActivations.get(layer.activation);
        NodeProto first = null;
        if (aq == null) {
            // One DynamicQuantizeLinear per activation tensor, shared by every layer that reads it.
            aq = new String[] {g.fresh(layer.activation + "_quant"), g.fresh(layer.activation + "_scale"),
                    g.fresh(layer.activation + "_zero_point")};
            quantizedActivations.put(layer.activation, aq);
            first = g.newNode("DynamicQuantizeLinear", "", List.of(layer.activation), List.of(aq));
        }
        String product = g.fresh(layer.output + "_int32");
        String asFloat = g.fresh(layer.output + "_unscaled");
        String scale = g.fresh(layer.output + "_rescale");
        boolean bias = layer.bias != null || layer.biasTensor != null;
        String scaled = bias ? g.fresh(layer.output + "_nobias") : layer.output;
        NodeProto mmi = g.newNode("MatMulInteger", "", List.of(aq[0], wName, aq[2]), List.of(product));
        replaceAll(g, layer, mmi);
        if (first != null) {
            g.nodes.add(first);
        }
        g.add("Cast", List.of(product), List.of(asFloat),
                GraphBuilder.attr("to", (long) TensorProto.DataType.FLOAT.getNumber()));
        g.add("Mul", List.of(aq[1], sName), List.of(scale));
        g.add("Mul", List.of(asFloat, scale), List.of(scaled));
        if (layer.bias != null) {
            String b = g.addInitializer(Tensors.floatTensor(layer.weightName + "_bias", layer.bias, layer.n));
            g.add("Add", List.of(scaled, b), List.of(layer.output));
        } else if (layer.biasTensor != null) {
            g.add("Add", List.of(scaled, layer.biasTensor), List.of(layer.output));
        }
    }

    private static void replaceAll(GraphEditor g, Layer layer, NodeProto replacement) {
        g.replace(layer.node, replacement);
        for (NodeProto n : layer.replaced) {
            if (n != layer.node) {
                g.remove(n);
            }
        }
    }
}
