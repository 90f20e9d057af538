package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The element type of every tensor in a model's main graph, as ONNX Runtime infers it: the model is
 * loaded once (without optimizations) with every node output declared as an untyped graph output,
 * and the session reports the types it resolved.
 */
final class TensorTypes {

    private TensorTypes() {
    }

    /** Element types by tensor name, for graph inputs, constants and node outputs. */
    static Map<String, OnnxJavaType> infer(ModelProto model) {
        Map<String, OnnxJavaType> types = new HashMap<>();
        GraphProto graph = model.getGraph();
        for (ValueInfoProto in : graph.getInputList()) {
            types.put(in.getName(), fromProto(in.getType().getTensorType().getElemType()));
        }
        for (TensorProto t : graph.getInitializerList()) {
            types.put(t.getName(), fromProto(t.getDataType()));
        }
        GraphProto.Builder g = graph.toBuilder();
        Set<String> declared = new HashSet<>();
        graph.getOutputList().forEach(v -> declared.add(v.getName()));
        for (NodeProto n : graph.getNodeList()) {
            for (String out : n.getOutputList()) {
                if (!out.isEmpty() && declared.add(out)) {
                    g.addOutput(ValueInfoProto.newBuilder().setName(out));
                }
            }
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            options.setIntraOpNumThreads(1);
            try (OrtSession session = OrtEnvironment.getEnvironment()
                    .createSession(model.toBuilder().setGraph(g).build().toByteArray(), options)) {
                for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
                    if (e.getValue().getInfo() instanceof TensorInfo t) {
                        types.put(e.getKey(), t.type);
                    }
                }
            }
        } catch (OrtException e) {
            throw new CompressionException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
        return types;
    }

    /** Maps an ONNX {@code TensorProto.DataType} number. */
    static OnnxJavaType fromProto(int dataType) {
        return switch (dataType) {
            case 1 -> OnnxJavaType.FLOAT;
            case 2 -> OnnxJavaType.UINT8;
            case 3 -> OnnxJavaType.INT8;
            case 5 -> OnnxJavaType.INT16;
            case 6 -> OnnxJavaType.INT32;
            case 7 -> OnnxJavaType.INT64;
            case 8 -> OnnxJavaType.STRING;
            case 9 -> OnnxJavaType.BOOL;
            case 10 -> OnnxJavaType.FLOAT16;
            case 11 -> OnnxJavaType.DOUBLE;
            case 16 -> OnnxJavaType.BFLOAT16;
            default -> OnnxJavaType.UNKNOWN;
        };
    }
}
