package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Finds the operators of an already-quantized graph. Quantizing such a graph again would leave its
 * integer kernels as they are and quantize only what stayed in float, making a child no smaller,
 * no faster and less faithful: the int8 methods refuse it and point at the float model instead.
 */
final class QuantizedOperators {

    /** Operators that compute on, or convert to and from, 8-bit integers. */
    static final Set<String> OPERATORS = Set.of("ConvInteger", "MatMulInteger", "QLinearConv", "QLinearMatMul",
            "DynamicQuantizeLinear", "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeMatMul",
            "MatMulIntegerToFloat", "QGemm", "QAttention", "DynamicQuantizeLSTM", "QEmbedLayerNormalization",
            "NhwcQLinearConv", "QOrderedMatMul", "MatMulNBits", "MatMulBnb4", "GatherBlockQuantized");

    private QuantizedOperators() {
    }

    /** Counts of the quantized operators in the main graph, by operator type; empty for a float graph. */
    static Map<String, Integer> in(ModelProto model) {
        Map<String, Integer> found = new TreeMap<>();
        for (NodeProto n : model.getGraph().getNodeList()) {
            String op = n.getOpType();
            if (OPERATORS.contains(op) || op.startsWith("QLinear")) {
                found.merge(op, 1, Integer::sum);
            }
        }
        return found;
    }

    /**
     * @param floatParent where the float model is, e.g. "version 1", or null when the lineage does not say
     * @throws CompressionException naming the operators found and their counts
     */
    static void refuse(ModelProto model, String method, String floatParent) {
        Map<String, Integer> found = in(model);
        if (found.isEmpty()) {
            return;
        }
        throw new CompressionException(method + " refused: the model is already quantized (it holds " + found
                + "); quantizing it again cannot make it smaller or faster. Compress "
                + (floatParent == null ? "the float model it was made from instead (upload it if it is not registered)"
                        : "its float parent " + floatParent + " instead"));
    }
}
