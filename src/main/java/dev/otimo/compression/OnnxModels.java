package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import com.google.protobuf.InvalidProtocolBufferException;

import java.util.Set;
import java.util.TreeSet;

/** Reading model bytes and the checks every compression method makes before it starts. */
public final class OnnxModels {

    /** Operator domains whose operators Otimo's transforms understand or pass through. */
    static final Set<String> KNOWN_DOMAINS = Set.of("", "ai.onnx", "ai.onnx.ml", GraphEditor.MS_DOMAIN);

    private OnnxModels() {
    }

    /**
     * Parses ONNX bytes and checks the model is structurally usable: a graph with nodes and outputs
     * and an opset import for the default domain.
     *
     * @throws CompressionException when the bytes are not such a model
     */
    public static ModelProto parse(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new CompressionException("the model is empty; upload an .onnx file");
        }
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new CompressionException("the model is not a valid ONNX protobuf (" + e.getMessage()
                    + "); upload the .onnx file again", e);
        }
        requireWellFormed(model);
        return model;
    }

    /** The structural checks of {@link #parse(byte[])} for a model already in memory. */
    public static void requireWellFormed(ModelProto model) {
        if (model.getIrVersion() <= 0 || !model.hasGraph()) {
            throw new CompressionException("the model is corrupt: it has no IR version or no graph");
        }
        GraphProto g = model.getGraph();
        if (g.getNodeCount() == 0 || g.getOutputCount() == 0) {
            throw new CompressionException("the model is corrupt: its graph has no nodes or no outputs");
        }
        boolean defaultDomain = false;
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (GraphEditor.normalDomain(o.getDomain()).isEmpty() && o.getVersion() > 0) {
                defaultDomain = true;
            }
        }
        if (!defaultDomain) {
            throw new CompressionException("the model is corrupt: it imports no version of the ONNX operator set");
        }
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().isEmpty() || n.getOutputCount() == 0) {
                throw new CompressionException("the model is corrupt: node '" + n.getName()
                        + "' has no operator type or no outputs");
            }
        }
    }

    /**
     * Rejects operators from domains the transforms do not know (custom operators), naming them.
     *
     * @param method the compression method, for the message
     */
    public static void requireKnownOperators(ModelProto model, String method) {
        Set<String> unknown = new TreeSet<>();
        for (NodeProto n : model.getGraph().getNodeList()) {
            if (!KNOWN_DOMAINS.contains(n.getDomain())) {
                unknown.add(n.getDomain() + ":" + n.getOpType() + " (node '" + n.getName() + "')");
            }
        }
        if (!unknown.isEmpty()) {
            throw new CompressionException(method + " does not support custom operators: "
                    + String.join(", ", unknown) + "; only operators of the ONNX, ONNX-ML and com.microsoft"
                    + " domains can be compressed");
        }
    }

    /** The opset version imported for {@code domain}, 0 when none. */
    public static long opset(ModelProto model, String domain) {
        String wanted = GraphEditor.normalDomain(domain);
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (GraphEditor.normalDomain(o.getDomain()).equals(wanted)) {
                return o.getVersion();
            }
        }
        return 0;
    }
}
