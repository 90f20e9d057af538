package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxJavaType;
import dev.otimo.onnx.GraphBuilder;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code fp16}: float weights and activations become float16; the model's inputs and outputs stay
 * float32, with Casts at the edges, so clients see no change. Operators on the block list compute in
 * float32 with Casts around them: by default those that are numerically sensitive in half precision
 * (exponentials, reductions, normalizations), those whose float inputs must stay float32 (Resize
 * scales, quantization scales) and those that create tensors from attributes.
 *
 * <p>On CPU, ONNX Runtime runs float16 operators it has no half-precision kernel for by inserting
 * Casts itself, so the result always loads; the artifact is half the size, but CPU inference is
 * usually not faster. Float16 pays off on GPUs.
 */
public final class Fp16Conversion implements Transform {

    public static final String NAME = "fp16";
    static final Set<String> OPTIONS = Set.of("blockOps", "extraBlockOps");

    /** The default block list. */
    public static final List<String> DEFAULT_BLOCK_OPS = List.of(
            "Softmax", "LogSoftmax", "Exp", "Log", "Pow", "ReduceMean", "ReduceSum", "ReduceProd", "ReduceL2",
            "ReduceLogSumExp", "ReduceSumSquare", "LayerNormalization", "InstanceNormalization",
            "GroupNormalization", "Resize", "Upsample", "Range", "TopK", "NonMaxSuppression", "RoiAlign",
            "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "EyeLike",
            "ConstantOfShape", "Constant", "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear",
            "CumSum", "Einsum");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void check(TransformOptions options, boolean hasCalibration) {
        options.requireOnly(NAME, OPTIONS);
        options.getStringList("blockOps", DEFAULT_BLOCK_OPS);
        options.getStringList("extraBlockOps", List.of());
    }

    @Override
    public TransformResult apply(ModelProto model, TransformOptions options, CalibrationData calibration) {
        check(options, calibration != null && !calibration.isEmpty());
        Set<String> blockOps = new TreeSet<>(options.getStringList("blockOps", DEFAULT_BLOCK_OPS));
        blockOps.addAll(options.getStringList("extraBlockOps", List.of()));
        OnnxModels.requireKnownOperators(model, NAME);
        for (NodeProto n : model.getGraph().getNodeList()) {
            if (GraphEditor.hasSubgraphs(n)) {
                throw new CompressionException(NAME + " does not support control-flow operator " + n.getOpType()
                        + " (node '" + n.getName() + "'); its subgraphs would need converting too");
            }
        }
        Map<String, OnnxJavaType> types = TensorTypes.infer(model);
        GraphEditor g = GraphEditor.of(model);
        java.util.function.Predicate<NodeProto> blocked = n -> blockOps.contains(n.getOpType())
                || !GraphEditor.normalDomain(n.getDomain()).isEmpty();
        Set<String> graphInputs = new HashSet<>(g.graphInputNames());
        Set<String> fp32Produced = new HashSet<>();
        int float32Nodes = 0;
        for (NodeProto n : g.nodes) {
            if (blocked.test(n)) {
                fp32Produced.addAll(n.getOutputList());
                float32Nodes++;
            }
        }

        // Graph outputs computed in half precision get a Cast back to float under their own name.
        Map<String, String> outputCasts = new LinkedHashMap<>();
        for (String out : g.graphOutputNames()) {
            if (types.get(out) == OnnxJavaType.FLOAT && !graphInputs.contains(out) && !fp32Produced.contains(out)
                    && !g.isInitializer(out)) {
                String half = g.fresh(out + "_fp16");
                g.rename(out, half);
                types.put(half, OnnxJavaType.FLOAT);
                outputCasts.put(half, out);
            }
        }

        Map<String, String> asHalf = new HashMap<>();
        Map<String, String> asFloat = new HashMap<>();
        int convertedWeights = 0;
        int casts = 0;
        for (NodeProto node : List.copyOf(g.nodes)) {
            boolean nodeBlocked = blocked.test(node);
            NodeProto.Builder b = node.toBuilder();
            boolean changed = false;
            for (int k = 0; k < b.getInputCount(); k++) {
                String in = b.getInput(k);
                if (in.isEmpty() || types.get(in) != OnnxJavaType.FLOAT) {
                    continue;
                }
                boolean storedAsFloat = graphInputs.contains(in) || fp32Produced.contains(in);
                String replacement = null;
                if (g.isInitializer(in)) {
                    if (!nodeBlocked) {
                        replacement = asHalf.get(in);
                        if (replacement == null) {
                            replacement = g.addInitializer(Tensors.toFloat16(g.initializer(in)).toBuilder()
                                    .setName(in + "_fp16").build());
                            asHalf.put(in, replacement);
                            convertedWeights++;
                        }
                    }
                } else if (nodeBlocked && !storedAsFloat) {
                    replacement = asFloat.get(in);
                    if (replacement == null) {
                        replacement = castNode(g, in, TensorProto.DataType.FLOAT);
                        asFloat.put(in, replacement);
                        casts++;
                    }
                } else if (!nodeBlocked && storedAsFloat) {
                    replacement = asHalf.get(in);
                    if (replacement == null) {
                        replacement = castNode(g, in, TensorProto.DataType.FLOAT16);
                        asHalf.put(in, replacement);
                        casts++;
                    }
                }
                if (replacement != null) {
                    b.setInput(k, replacement);
                    changed = true;
                }
            }
            if (!nodeBlocked && node.getOpType().equals("Cast")
                    && GraphEditor.intAttribute(node, "to", 0) == TensorProto.DataType.FLOAT.getNumber()) {
                for (int a = 0; a < b.getAttributeCount(); a++) {
                    if (b.getAttribute(a).getName().equals("to")) {
                        b.setAttribute(a, GraphBuilder.attr("to", (long) TensorProto.DataType.FLOAT16.getNumber()));
                    }
                }
                changed = true;
            }
            if (changed) {
                g.replace(node, b.build());
            }
        }
        for (Map.Entry<String, String> e : outputCasts.entrySet()) {
            g.add("Cast", List.of(e.getKey()), List.of(e.getValue()),
                    GraphBuilder.attr("to", (long) TensorProto.DataType.FLOAT.getNumber()));
            casts++;
        }
        if (convertedWeights == 0 && outputCasts.isEmpty()) {
            throw new CompressionException(NAME + " found no float weights or float computation to convert in model '"
                    + model.getGraph().getName() + "'");
        }
        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put("convertedWeights", convertedWeights);
        extras.put("float32Nodes", float32Nodes);
        extras.put("insertedCasts", casts);
        extras.put("blockOps", List.copyOf(blockOps));
        List<String> notes = List.of(
                "converted " + convertedWeights + " float weight tensors to float16; inputs and outputs stay float32",
                float32Nodes + " nodes on the block list compute in float32 (" + casts + " Casts inserted)",
                "on CPU, ONNX Runtime computes float16 operators without a half-precision kernel through its own"
                        + " Casts: expect a smaller artifact but no CPU speed-up; float16 pays off on GPU");
        return new TransformResult(g.build(), extras, notes);
    }

    private static String castNode(GraphEditor g, String in, TensorProto.DataType to) {
        String out = g.fresh(in + (to == TensorProto.DataType.FLOAT16 ? "_fp16" : "_fp32"));
        g.add("Cast", List.of(in), List.of(out), GraphBuilder.attr("to", (long) to.getNumber()));
        return out;
    }
}
