package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.otimo.onnx.GraphBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Raises the ONNX operator set of a graph (from 7 or later up to 14) so that transforms may use
 * operators or attributes of the newer set, such as per-channel {@code DequantizeLinear} (13).
 * Operators whose meaning did not change are kept; the few that moved attributes into inputs or
 * changed semantics are rewritten; anything else is refused with a message naming it.
 */
final class OpsetUpgrade {

    /** Operators with the same meaning for inference in every opset from 7 to 14. */
    private static final Set<String> UNCHANGED = Set.of(
            "Add", "Sub", "Mul", "Div", "Relu", "Sigmoid", "Tanh", "HardSigmoid", "LeakyRelu", "Elu", "Selu",
            "PRelu", "Exp", "Log", "Sqrt", "Pow", "Abs", "Neg", "Reciprocal", "Floor", "Ceil", "Erf", "Sin", "Cos",
            "Softplus", "Softsign", "Conv", "ConvTranspose", "MatMul", "Gemm", "MaxPool", "AveragePool",
            "GlobalAveragePool", "GlobalMaxPool", "Concat", "Reshape", "Flatten", "Transpose", "Shape", "Gather",
            "Cast", "Identity", "Constant", "ConstantOfShape", "Expand", "Where", "Equal", "Greater", "Less", "Not",
            "And", "Or", "Min", "Max", "Sum", "Mean", "InstanceNormalization", "LRN", "Tile", "Range", "Size",
            "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2", "ArgMax", "ArgMin", "Einsum",
            "MatMulInteger", "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "NonZero",
            "DepthToSpace", "SpaceToDepth", "BatchNormalization", "GatherElements", "ScatterElements", "HardSwish");
    /** Unchanged only from the given opset on (they were redefined before it). */
    private static final java.util.Map<String, Integer> UNCHANGED_FROM = java.util.Map.of(
            "Pad", 11, "Resize", 11, "TopK", 10, "Slice", 10, "Clip", 11, "Dropout", 12, "BatchNormalization", 9);

    private OpsetUpgrade() {
    }

    static void to(GraphEditor g, int target, String method) {
        long from = g.opset("");
        if (from >= target) {
            return;
        }
        if (from < 7) {
            throw new CompressionException(method + " needs ONNX opset " + target + "; the model uses opset " + from
                    + ", which is too old to upgrade here; re-export it with opset " + target + " or later");
        }
        for (NodeProto node : List.copyOf(g.nodes)) {
            if (!GraphEditor.normalDomain(node.getDomain()).isEmpty()) {
                continue;
            }
            upgrade(g, node, (int) from, target, method);
        }
        g.setOpset("", target);
    }

    private static void upgrade(GraphEditor g, NodeProto node, int from, int target, String method) {
        String op = node.getOpType();
        switch (op) {
            case "Clip" -> {
                if (from < 11) {
                    clipToInputs(g, node);
                }
            }
            case "Slice" -> {
                if (from < 10) {
                    attributesToInputs(g, node, List.of("starts", "ends", "axes"));
                }
            }
            case "Squeeze", "Unsqueeze", "ReduceSum", "Split" -> {
                if (target >= 13 && from < 13) {
                    attributesToInputs(g, node, List.of(op.equals("Split") ? "split" : "axes"));
                }
            }
            case "Softmax", "LogSoftmax", "Hardmax" -> {
                if (target >= 13 && from < 13) {
                    softmaxViaFlatten(g, node);
                }
            }
            case "Dropout" -> {
                if (from < 12) {
                    if (node.getOutputCount() > 1 && !g.consumers(node.getOutput(1)).isEmpty()) {
                        refuse(method, node, from, target);
                    }
                    g.replace(node, g.newNode("Identity", "", List.of(node.getInput(0)), List.of(node.getOutput(0))));
                }
            }
            default -> {
                Integer since = UNCHANGED_FROM.get(op);
                if (since != null ? from < since : !UNCHANGED.contains(op)) {
                    refuse(method, node, from, target);
                }
            }
        }
    }

    private static void refuse(String method, NodeProto node, int from, int target) {
        throw new CompressionException(method + " needs ONNX opset " + target + " but the model uses opset " + from
                + " and its operator " + node.getOpType() + " (node '" + node.getName() + "') cannot be upgraded"
                + " automatically; re-export the model with opset " + target + " or later");
    }

    private static void clipToInputs(GraphEditor g, NodeProto node) {
        float min = GraphEditor.floatAttribute(node, "min", -Float.MAX_VALUE);
        float max = GraphEditor.floatAttribute(node, "max", Float.MAX_VALUE);
        String minName = g.addInitializer(Tensors.scalarFloat(node.getOutput(0) + "_min", min).toBuilder()
                .clearDims().build());
        String maxName = g.addInitializer(Tensors.scalarFloat(node.getOutput(0) + "_max", max).toBuilder()
                .clearDims().build());
        NodeProto.Builder b = node.toBuilder().clearAttribute().clearInput()
                .addInput(node.getInput(0)).addInput(minName).addInput(maxName);
        g.replace(node, b.build());
    }

    private static void attributesToInputs(GraphEditor g, NodeProto node, List<String> names) {
        NodeProto.Builder b = node.toBuilder().clearAttribute();
        List<AttributeProto> kept = new ArrayList<>();
        List<String> extraInputs = new ArrayList<>();
        boolean any = false;
        for (AttributeProto a : node.getAttributeList()) {
            if (!names.contains(a.getName())) {
                kept.add(a);
            }
        }
        for (String name : names) {
            AttributeProto a = GraphEditor.attribute(node, name);
            if (a == null) {
                extraInputs.add("");
                continue;
            }
            long[] values = a.getIntsList().stream().mapToLong(Long::longValue).toArray();
            extraInputs.add(g.addInitializer(Tensors.int64Tensor(node.getOutput(0) + "_" + name, values,
                    values.length)));
            any = true;
        }
        b.addAllAttribute(kept);
        if (any) {
            while (!extraInputs.isEmpty() && extraInputs.get(extraInputs.size() - 1).isEmpty()) {
                extraInputs.remove(extraInputs.size() - 1);
            }
            b.addAllInput(extraInputs);
        }
        g.replace(node, b.build());
    }

    /** Before opset 13 softmax ran on the input flattened to 2-D at {@code axis}; keep that meaning. */
    private static void softmaxViaFlatten(GraphEditor g, NodeProto node) {
        long axis = GraphEditor.intAttribute(node, "axis", 1);
        String in = node.getInput(0);
        String flat = g.fresh(in + "_2d");
        String soft = g.fresh(node.getOutput(0) + "_2d");
        String shape = g.fresh(in + "_shape");
        g.replace(node, g.newNode("Flatten", "", List.of(in), List.of(flat), GraphBuilder.attr("axis", axis)));
        g.add(node.getOpType(), List.of(flat), List.of(soft), GraphBuilder.attr("axis", 1L));
        g.add("Shape", List.of(in), List.of(shape));
        g.add("Reshape", List.of(soft, shape), List.of(node.getOutput(0)));
    }
}
