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
 * Reads and checks an ONNX file: parses the protobuf, checks the opset, refuses external data
 * anywhere, absurd declared sizes and constants over a byte budget ({@link ModelConstants}), and
 * derives the v2 signature (with batchability from symbolic dims).
 */
public final class ModelInspector {

    /** The newest default-domain opset ONNX Runtime 1.25 implements. */
    public static final int MAX_OPSET = 23;
    public static final int MIN_OPSET = 7;
    /** A declared dimension above this is treated as a malformed model. */
    public static final long MAX_DIM = 1L << 31;
    /** The default of {@code otimo.validation.max-constant-bytes}: 2 GiB. */
    public static final long DEFAULT_MAX_CONSTANT_BYTES = 2L << 30;

    private ModelInspector() {
    }

    /** Inspects the file with the default constants budget ({@link #DEFAULT_MAX_CONSTANT_BYTES}). */
    public static ModelInfo inspect(Path file) {
        return inspect(file, DEFAULT_MAX_CONSTANT_BYTES);
    }

    /**
     * Inspects the file.
     *
     * @param maxConstantBytes the most bytes the model's constants may take once loaded
     *                         ({@code otimo.validation.max-constant-bytes})
     */
    public static ModelInfo inspect(Path file, long maxConstantBytes) {
        try (InputStream in = Files.newInputStream(file)) {
            return inspect(parse(in), maxConstantBytes);
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
        return inspect(model, DEFAULT_MAX_CONSTANT_BYTES);
    }

    public static ModelInfo inspect(ModelProto model, long maxConstantBytes) {
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
        long constants = ModelConstants.bytes(model);
        if (constants > maxConstantBytes) {
            throw new InvalidModelException("constants would need " + constants + " bytes, over the budget of "
                    + maxConstantBytes + " (otimo.validation.max-constant-bytes)");
        }
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
