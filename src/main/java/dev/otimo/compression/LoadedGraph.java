package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The graph ONNX Runtime actually executes on CPU after its load-time optimizations: shows whether
 * quantized patterns became integer kernels (QLinearConv, QLinearMatMul, MatMulIntegerToFloat, ...).
 */
public final class LoadedGraph {

    /** Operators that compute on 8-bit integers in ONNX Runtime's CPU execution provider. */
    public static final Set<String> INTEGER_KERNELS = Set.of("QLinearConv", "QLinearMatMul", "QGemm", "QLinearAdd",
            "QLinearMul", "QLinearConcat", "QLinearAveragePool", "QLinearGlobalAveragePool", "QLinearSigmoid",
            "QLinearLeakyRelu", "QLinearSoftmax", "MatMulInteger", "ConvInteger", "MatMulIntegerToFloat",
            "DynamicQuantizeMatMul", "NhwcQLinearConv");

    private LoadedGraph() {
    }

    /** Operator counts ("domain:Op" for non-ONNX domains) of the graph ONNX Runtime runs at {@code level}. */
    public static Map<String, Integer> opCounts(byte[] model, OptLevel level) {
        ModelProto optimized = GraphOptimization.optimize(OnnxModels.parse(model), level);
        Map<String, Integer> counts = new TreeMap<>();
        for (NodeProto n : optimized.getGraph().getNodeList()) {
            String key = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx") ? n.getOpType()
                    : n.getDomain() + ":" + n.getOpType();
            counts.merge(key, 1, Integer::sum);
        }
        return counts;
    }

    /** How many nodes of the loaded graph run integer kernels. */
    public static int integerKernelCount(Map<String, Integer> opCounts) {
        int n = 0;
        for (Map.Entry<String, Integer> e : opCounts.entrySet()) {
            String op = e.getKey().substring(e.getKey().indexOf(':') + 1);
            if (INTEGER_KERNELS.contains(op)) {
                n += e.getValue();
            }
        }
        return n;
    }
}
