package dev.otimo.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Fluent construction of ONNX graphs on the protobuf classes. Used for the demo model, for
 * compression transforms that add nodes, and for models built in tests and benchmarks.
 * A dimension of -1 becomes a symbolic dimension ({@code batch} on axis 0).
 */
public final class GraphBuilder {

    /** The default opset: supported by every ONNX Runtime release Otimo targets. */
    public static final int DEFAULT_OPSET = 17;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final ModelProto.Builder model = ModelProto.newBuilder();
    private int opset = DEFAULT_OPSET;
    private int nodeCount;

    private GraphBuilder(String name) {
        graph.setName(name);
        model.setIrVersion(8).setProducerName("otimo").setProducerVersion("0.1.0");
    }

    public static GraphBuilder named(String name) {
        return new GraphBuilder(name);
    }

    public GraphBuilder opset(int version) {
        this.opset = version;
        return this;
    }

    public GraphBuilder producer(String name) {
        model.setProducerName(name);
        return this;
    }

    public GraphBuilder metadata(String key, String value) {
        model.addMetadataProps(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value));
        return this;
    }

    public GraphBuilder input(String name, TensorProto.DataType type, long... dims) {
        graph.addInput(valueInfo(name, type, dims));
        return this;
    }

    public GraphBuilder output(String name, TensorProto.DataType type, long... dims) {
        graph.addOutput(valueInfo(name, type, dims));
        return this;
    }

    public GraphBuilder initializer(String name, float[] values, long... dims) {
        graph.addInitializer(floatTensor(name, values, dims));
        return this;
    }

    public GraphBuilder initializer(String name, long[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        return initializer(name, TensorProto.DataType.INT64, raw.array(), dims);
    }

    /** Adds a constant tensor from little-endian raw bytes of the given element type. */
    public GraphBuilder initializer(String name, TensorProto.DataType type, byte[] littleEndian, long... dims) {
        graph.addInitializer(tensor(name, type, littleEndian, dims));
        return this;
    }

    /** A constant tensor from little-endian raw bytes of the given element type. */
    public static TensorProto tensor(String name, TensorProto.DataType type, byte[] littleEndian, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(littleEndian));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A FLOAT constant tensor. */
    public static TensorProto floatTensor(String name, float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return tensor(name, TensorProto.DataType.FLOAT, raw.array(), dims);
    }

    /** Adds a node; its name is generated from the op type. */
    public GraphBuilder node(String opType, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(opType + "_" + nodeCount++)
                .addAllInput(inputs).addAllOutput(outputs);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return this;
    }

    public ModelProto build() {
        return model.clone().setGraph(graph.clone())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .build();
    }

    public byte[] toBytes() {
        return build().toByteArray();
    }

    public static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static AttributeProto attr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    public static AttributeProto attr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    public static AttributeProto attr(String name, long[] values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    public static ValueInfoProto valueInfo(String name, TensorProto.DataType type, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (dims[i] < 0) {
                d.setDimParam(i == 0 ? "batch" : name + "_d" + i);
            } else {
                d.setDimValue(dims[i]);
            }
            shape.addDim(d);
        }
        TypeProto.Tensor.Builder tensor = TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape);
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }
}
