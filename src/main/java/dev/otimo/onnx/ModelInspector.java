package dev.otimo.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.otimo.runtime.DataType;
import dev.otimo.runtime.Signature;
import dev.otimo.runtime.TensorSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and checks an ONNX file: parses the protobuf, checks the opset, refuses external data and
 * absurd declared sizes, and derives the v2 signature (with batchability from symbolic dims).
 */
public final class ModelInspector {

    /** The newest default-domain opset ONNX Runtime 1.25 implements. */
    public static final int MAX_OPSET = 23;
    public static final int MIN_OPSET = 7;
    /** A declared dimension above this is treated as a malformed model. */
    public static final long MAX_DIM = 1L << 31;

    private ModelInspector() {
    }

    public static ModelInfo inspect(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return inspect(parse(in));
        } catch (IOException e) {
            throw new InvalidModelException("cannot read the model file: " + e.getMessage(), e);
        }
    }

    public static ModelProto parse(InputStream in) throws IOException {
        CodedInputStream coded = CodedInputStream.newInstance(in);
        coded.setSizeLimit(Integer.MAX_VALUE);
        coded.setRecursionLimit(256);
        try {
            ModelProto model = ModelProto.parseFrom(coded);
            coded.checkLastTagWas(0);
            return model;
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidModelException("the file is not an ONNX model (protobuf parse failed: " + e.getMessage() + ")", e);
        }
    }

    public static ModelInfo inspect(ModelProto model) {
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new InvalidModelException("the file is not an ONNX model: it has no graph nodes");
        }
        if (model.getIrVersion() <= 0) {
            throw new InvalidModelException("the file is not an ONNX model: ir_version is missing");
        }
        int opset = defaultOpset(model);
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new InvalidModelException("opset " + opset + " is not supported (supported: "
                    + MIN_OPSET + ".." + MAX_OPSET + ")");
        }
        GraphProto graph = model.getGraph();
        refuseExternalData(graph);
        Set<String> initializers = new HashSet<>();
        graph.getInitializerList().forEach(t -> initializers.add(t.getName()));

        List<TensorSpec> inputs = new ArrayList<>();
        List<String> batchParams = new ArrayList<>();
        boolean batchable = true;
        for (ValueInfoProto v : graph.getInputList()) {
            if (initializers.contains(v.getName())) {
                continue;
            }
            inputs.add(spec(v, "input", true));
            batchable &= collectBatchParam(v, batchParams);
        }
        if (inputs.isEmpty()) {
            throw new InvalidModelException("the model has no inputs to feed");
        }
        List<TensorSpec> outputs = new ArrayList<>();
        for (ValueInfoProto v : graph.getOutputList()) {
            outputs.add(spec(v, "output", false));
            batchable &= collectBatchParam(v, batchParams);
        }
        batchable &= batchParams.stream().distinct().count() <= 1;
        return new ModelInfo(new Signature(inputs, outputs, batchable), opset,
                (model.getProducerName() + " " + model.getProducerVersion()).trim(), model.getIrVersion());
    }

    private static int defaultOpset(ModelProto model) {
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                return (int) o.getVersion();
            }
        }
        throw new InvalidModelException("the model imports no default-domain opset");
    }

    private static void refuseExternalData(GraphProto graph) {
        for (TensorProto t : graph.getInitializerList()) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
                throw new InvalidModelException("initializer '" + t.getName()
                        + "' refers to external data; upload a model with all weights inside the .onnx file");
            }
            for (long d : t.getDimsList()) {
                if (d < 0 || d > MAX_DIM) {
                    throw new InvalidModelException("initializer '" + t.getName() + "' declares dimension " + d);
                }
            }
        }
        graph.getNodeList().forEach(n -> n.getAttributeList().forEach(a -> {
            if (a.hasG()) {
                refuseExternalData(a.getG());
            }
            a.getGraphsList().forEach(ModelInspector::refuseExternalData);
            if (a.hasT() && (a.getT().getDataLocation() == TensorProto.DataLocation.EXTERNAL
                    || a.getT().getExternalDataCount() > 0)) {
                throw new InvalidModelException("constant in node '" + n.getName() + "' refers to external data");
            }
        }));
    }

    private static TensorSpec spec(ValueInfoProto v, String role, boolean requireShape) {
        if (!v.hasType() || !v.getType().hasTensorType()) {
            throw new InvalidModelException(role + " '" + v.getName() + "' is not a tensor; only tensor inputs and outputs are served");
        }
        int elem = v.getType().getTensorType().getElemType();
        DataType type = DataType.fromOnnx(elem).orElseThrow(() -> new InvalidModelException(role + " '" + v.getName()
                + "' has element type " + TensorProto.DataType.forNumber(elem) + ", which the inference protocol cannot carry"));
        if (!v.getType().getTensorType().hasShape()) {
            if (requireShape) {
                throw new InvalidModelException(role + " '" + v.getName() + "' declares no shape");
            }
            return new TensorSpec(v.getName(), type, new long[] {-1});
        }
        TensorShapeProto shape = v.getType().getTensorType().getShape();
        long[] dims = new long[shape.getDimCount()];
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension d = shape.getDim(i);
            if (d.hasDimValue()) {
                long value = d.getDimValue();
                if (value < 0 || value > MAX_DIM) {
                    throw new InvalidModelException(role + " '" + v.getName() + "' declares dimension " + value + " on axis " + i);
                }
                dims[i] = value;
            } else {
                dims[i] = -1;
            }
        }
        return new TensorSpec(v.getName(), type, dims);
    }

    /** Records the symbolic name of axis 0; false when axis 0 is missing or fixed. */
    private static boolean collectBatchParam(ValueInfoProto v, List<String> params) {
        if (!v.getType().getTensorType().hasShape()) {
            return false;
        }
        TensorShapeProto shape = v.getType().getTensorType().getShape();
        if (shape.getDimCount() == 0 || shape.getDim(0).hasDimValue()) {
            return false;
        }
        params.add(Objects.requireNonNullElse(shape.getDim(0).getDimParam(), ""));
        return true;
    }
}
