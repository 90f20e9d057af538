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
    static final Set<String> OPTIONS = Set.of("perChannel", "kernel", "excludeNodes", "ops", WeightQuantizer.OPTION);
    /** The operators this method quantizes. */
    static final Set<String> QUANTIZABLE = new java.util.TreeSet<>(Set.of("Conv", "Gemm", "MatMul"));
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
        ops(options);
    }

    @Override
    public void checkModel(ModelProto model, String floatParent) {
        QuantizedOperators.refuse(model, NAME, floatParent);
    }

    @Override
    public TransformResult apply(ModelProto model, TransformOptions options, CalibrationData calibration) {
        check(options, calibration != null && !calibration.isEmpty());
        boolean perChannel = options.getBoolean("perChannel", false);
        String kernel = options.getChoice("kernel", "fused", KERNELS);
        WeightQuantizer.Range range = WeightQuantizer.Range.of(options, CpuFeatures.host());
        Set<String> excluded = Set.copyOf(options.getStringList("excludeNodes", List.of()));
        Set<String> ops = Set.copyOf(ops(options));
        OnnxModels.requireKnownOperators(model, NAME);
        QuantizedOperators.refuse(model, NAME, null);
        List<String> notes = new ArrayList<>();
        Map<String, Object> extras = new LinkedHashMap<>();
        model = Fp32UpCast.forQuantizing(model, notes, extras);

        GraphEditor g = GraphEditor.of(model);
        boolean convs = ops.contains("Conv") && g.nodes.stream().anyMatch(n -> n.getOpType().equals("Conv"));
        if ((kernel.equals("integer") || convs) && g.opset("") < 11) {
            OpsetUpgrade.to(g, 11, NAME);
        }
        Map<String, String[]> quantizedActivations = new HashMap<>();
        OperatorTally tally = new OperatorTally();
        int quantized = 0;
        for (NodeProto node : List.copyOf(g.nodes)) {
            String op = node.getOpType();
            if (!GraphEditor.normalDomain(node.getDomain()).isEmpty() || !QUANTIZABLE.contains(op)) {
                if (g.nodes.contains(node)) {
                    // (a bias Add folded into the MatMul before it is gone, and not skipped)
                    tally.skipped(op, "operator not quantized by this method");
                }
                continue;
            }
            if (excluded.contains(node.getName())) {
                tally.skipped(op, "excluded by excludeNodes");
                continue;
            }
            if (!ops.contains(op)) {
                tally.skipped(op, "not in the ops option");
                continue;
            }
            String[] reason = new String[1];
            if (op.equals("Conv")) {
                if (quantizeConv(g, node, range.qmax(), quantizedActivations, reason)) {
                    tally.transformed(op);
                    quantized++;
                } else {
                    tally.skipped(op, reason[0]);
                }
                continue;
            }
            Layer layer = switch (op) {
                case "MatMul" -> matMulLayer(g, node, reason);
                default -> gemmLayer(g, node, reason);
            };
            if (layer == null) {
                tally.skipped(op, reason[0]);
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
            tally.transformed(op);
            quantized++;
        }
        if (quantized == 0) {
            String left = tally.skippedNote(QUANTIZABLE);
            throw new CompressionException(NAME + " found no Conv, MatMul or Gemm node with a constant float weight"
                    + " in model '" + model.getGraph().getName() + "'; nothing to quantize"
                    + (left == null ? "" : " (" + left + ")"));
        }
        Map<String, Integer> counts = tally.transformedCounts();
        notes.add("quantized " + counts + " to int8 weights (" + (perChannel ? "per output column" : "per tensor")
                + ", symmetric) with uint8 activations quantized per batch at run time, kernel " + kernel);
        if (counts.containsKey("Conv")) {
            notes.add("Convs became DynamicQuantizeLinear -> ConvInteger with weights per output channel (uint8,"
                    + " zero point 128) -> Cast -> Mul by the scales -> Add bias");
        }
        String left = tally.skippedNote(QUANTIZABLE);
        if (left != null) {
            notes.add(left);
        }
        notes.add(range.note());
        if (kernel.equals("fused") && (counts.containsKey("MatMul") || counts.containsKey("Gemm"))) {
            notes.add("uses the ONNX Runtime operator com.microsoft.DynamicQuantizeMatMul; other ONNX runtimes"
                    + " need kernel=integer");
        }
        extras.put("quantizedNodes", quantized);
        extras.put("kernel", kernel);
        extras.put("perChannel", perChannel);
        extras.put("weightRange", range.applied());
        extras.put("operators", tally.asMap());
        return new TransformResult(g.build(), extras, notes);
    }

    private static List<String> ops(TransformOptions options) {
        List<String> ops = options.getStringList("ops", List.copyOf(QUANTIZABLE));
        for (String op : ops) {
            if (!QUANTIZABLE.contains(op)) {
                throw new CompressionException(NAME + " cannot quantize operator " + op + "; supported: "
                        + String.join(", ", new java.util.TreeSet<>(QUANTIZABLE)));
            }
        }
        return ops;
    }

    /** Why a constant weight cannot be quantized, or null when it can. */
    static String weightProblem(GraphEditor g, String name, int rank) {
        TensorProto w = g.initializer(name);
        String type = Tensors.weightTypeProblem(w);
        if (type != null) {
            return type;
        }
        if (rank > 0 && w.getDimsCount() != rank) {
            return "weights are not " + rank + "-D";
        }
        if (rank < 0 && w.getDimsCount() < 3) {
            return "weights have fewer than 3 dimensions";
        }
        return null;
    }

    /**
     * Conv to DynamicQuantizeLinear -> ConvInteger -> Cast -> Mul -> Add: weights uint8 per output channel around
     * zero point 128 (the weight type every ONNX Runtime ConvInteger kernel takes), activations uint8 per batch.
     */
    private static boolean quantizeConv(GraphEditor g, NodeProto conv, int qmax, Map<String, String[]> activations,
            String[] reason) {
        reason[0] = weightProblem(g, conv.getInput(1), -1);
        if (reason[0] != null) {
            return false;
        }
        float[] bias = null;
        if (conv.getInputCount() > 2 && !conv.getInput(2).isEmpty()) {
            TensorProto b = g.initializer(conv.getInput(2));
            if (b == null || !Tensors.isFloat(b)) {
                reason[0] = "bias not a constant float vector";
                return false;
            }
            bias = Tensors.floats(b);
        }
        TensorProto w = g.initializer(conv.getInput(1));
        long[] dims = Tensors.dims(w);
        WeightQuantizer.Quantized q = WeightQuantizer.symmetric(Tensors.floats(w), dims, 0, qmax);
        byte[] shifted = new byte[q.values().length];
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] = (byte) (q.values()[i] + 128);
        }
        long[] channelShape = new long[dims.length - 1];
        java.util.Arrays.fill(channelShape, 1);
        channelShape[0] = dims[0];
        String base = conv.getInput(1);
        String wName = g.addInitializer(Tensors.uint8Tensor(base + "_uint8", shifted, dims));
        String wZero = g.addInitializer(Tensors.uint8Tensor(base + "_zero_point", new byte[] {(byte) 128}));
        String sName = g.addInitializer(Tensors.floatTensor(base + "_scale", q.scales(), channelShape));
        String[] aq = activations.get(conv.getInput(0));
        if (aq == null) {
            aq = new String[] {g.fresh(conv.getInput(0) + "_quant"), g.fresh(conv.getInput(0) + "_scale"),
                    g.fresh(conv.getInput(0) + "_zero_point")};
            activations.put(conv.getInput(0), aq);
            g.add("DynamicQuantizeLinear", List.of(conv.getInput(0)), List.of(aq));
        }
        String output = conv.getOutput(0);
        String product = g.fresh(output + "_int32");
        String asFloat = g.fresh(output + "_unscaled");
        String scale = g.fresh(output + "_rescale");
        String scaled = bias != null ? g.fresh(output + "_nobias") : output;
        NodeProto.Builder ci = g.newNode("ConvInteger", "", List.of(aq[0], wName, aq[2], wZero), List.of(product))
                .toBuilder();
        ci.addAllAttribute(conv.getAttributeList());
        g.replace(conv, ci.build());
        g.add("Cast", List.of(product), List.of(asFloat),
                GraphBuilder.attr("to", (long) TensorProto.DataType.FLOAT.getNumber()));
        g.add("Mul", List.of(aq[1], sName), List.of(scale));
        g.add("Mul", List.of(asFloat, scale), List.of(scaled));
        if (bias != null) {
            String b = g.addInitializer(Tensors.floatTensor(conv.getInput(2) + "_channels", bias, channelShape));
            g.add("Add", List.of(scaled, b), List.of(output));
        }
        return true;
    }

    /** One MatMul/Gemm to replace: Y = alpha * (A x W[k,n]) + bias, removing {@code replaced} nodes. */
    private record Layer(NodeProto node, List<NodeProto> replaced, String activation, String weightName,
            float[] weights, int k, int n, float alpha, float[] bias, String biasTensor, String output) {
    }

    private static Layer matMulLayer(GraphEditor g, NodeProto mm, String[] reason) {
        reason[0] = weightProblem(g, mm.getInput(1), 2);
        if (reason[0] != null) {
            return null;
        }
        TensorProto w = g.initializer(mm.getInput(1));
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

    private static Layer gemmLayer(GraphEditor g, NodeProto gemm, String[] reason) {
        reason[0] = weightProblem(g, gemm.getInput(1), 2);
        if (reason[0] != null) {
            return null;
        }
        TensorProto w = g.initializer(gemm.getInput(1));
        if (GraphEditor.intAttribute(gemm, "transA", 0) != 0) {
            reason[0] = "unsupported attribute transA=1";
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
                reason[0] = "unsupported attribute beta != 1 with a C input that is not a constant [N] bias";
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
