package dev.otimo.runtime;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.otimo.onnx.GraphBuilder;

import java.util.HashMap;
import java.util.Map;

/**
 * ONNX Runtime's Java API cannot create or read UINT16, UINT32 and UINT64 tensors. For models with
 * such inputs or outputs the session is loaded from a rewritten graph: each one travels in a signed
 * container (UINT16 in INT32, UINT32 in INT64, UINT64 in INT64 bit for bit) and a Cast at the edge
 * converts it. The model's own signature is unchanged; {@link OrtTensors} converts the values.
 */
final class UnsignedIoAdapter {

    static final String IN_SUFFIX = "__otimo_in";
    static final String OUT_SUFFIX = "__otimo_out";

    private UnsignedIoAdapter() {
    }

    static boolean needed(Signature signature) {
        return signature.inputs().stream().anyMatch(t -> container(t.datatype()) != null)
                || signature.outputs().stream().anyMatch(t -> container(t.datatype()) != null);
    }

    /** The signed type an unsigned type travels in, or null when it needs no container. */
    static DataType container(DataType type) {
        return switch (type) {
            case UINT16 -> DataType.INT32;
            case UINT32, UINT64 -> DataType.INT64;
            default -> null;
        };
    }

    /** Rewrites the graph; returns the model and a map from signature name to session name. */
    static Adapted adapt(ModelProto model, Signature signature) {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        Map<String, String> sessionNames = new HashMap<>();
        for (int i = 0; i < graph.getInputCount(); i++) {
            ValueInfoProto in = graph.getInput(i);
            DataType type = signature.input(in.getName()).map(TensorSpec::datatype).orElse(null);
            DataType box = type == null ? null : container(type);
            if (box == null) {
                continue;
            }
            String outer = in.getName() + IN_SUFFIX;
            graph.setInput(i, retyped(in, outer, box));
            graph.addNode(0, cast(outer, in.getName(), type.onnx()));
            sessionNames.put(in.getName(), outer);
        }
        for (int i = 0; i < graph.getOutputCount(); i++) {
            ValueInfoProto out = graph.getOutput(i);
            DataType type = signature.output(out.getName()).map(TensorSpec::datatype).orElse(null);
            DataType box = type == null ? null : container(type);
            if (box == null) {
                continue;
            }
            String outer = out.getName() + OUT_SUFFIX;
            graph.setOutput(i, retyped(out, outer, box));
            graph.addNode(cast(out.getName(), outer, box.onnx()));
            sessionNames.put(out.getName(), outer);
        }
        return new Adapted(model.toBuilder().setGraph(graph).build(), sessionNames);
    }

    private static ValueInfoProto retyped(ValueInfoProto v, String name, DataType type) {
        ValueInfoProto.Builder b = v.toBuilder().setName(name);
        b.getTypeBuilder().getTensorTypeBuilder().setElemType(type.onnx().getNumber());
        return b.build();
    }

    private static NodeProto cast(String from, String to, TensorProto.DataType type) {
        return NodeProto.newBuilder().setOpType("Cast").setName("otimo_cast_" + to)
                .addInput(from).addOutput(to).addAttribute(GraphBuilder.attr("to", (long) type.getNumber())).build();
    }

    record Adapted(ModelProto model, Map<String, String> sessionNames) {
    }
}
