package dev.otimo.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;

import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One walk over every tensor a model carries, wherever it sits: initializers and sparse initializers,
 * tensors in node attributes ({@code t}, {@code tensors}, {@code sparse_tensor}, {@code sparse_tensors},
 * {@code Constant}'s {@code value}) and the same in every subgraph ({@code g}, {@code graphs}) and
 * model-local function, at any depth. It refuses external data anywhere (a path ONNX Runtime would
 * open on the server's disk) and declared dimensions out of range, and adds up the bytes the
 * constants take once loaded, the outputs of {@code ConstantOfShape} nodes whose shape is a constant
 * included: constant folding materialises them when a deployment loads the model.
 */
final class ModelConstants {

    private static final int FLOAT_BITS = 32;

    /** Constant int64 values visible in a graph: its own and its enclosing graphs'. */
    private record Scope(Map<String, Supplier<LongBuffer>> values, Scope outer) {

        LongBuffer lookup(String name) {
            for (Scope s = this; s != null; s = s.outer) {
                Supplier<LongBuffer> v = s.values.get(name);
                if (v != null) {
                    return v.get();
                }
            }
            return null;
        }
    }

    private long bytes;

    private ModelConstants() {
    }

    /**
     * The bytes the model's constants take once loaded.
     *
     * @throws InvalidModelException when a tensor refers to external data, declares a dimension out of
     *                               range or a {@code ConstantOfShape} has a negative or overflowing shape
     */
    static long bytes(ModelProto model) {
        ModelConstants walk = new ModelConstants();
        walk.graph(model.getGraph(), "", null);
        for (FunctionProto f : model.getFunctionsList()) {
            String where = " in function '" + f.getName() + "'";
            for (AttributeProto a : f.getAttributeProtoList()) {
                walk.attribute(a, "function '" + f.getName() + "'", null);
            }
            walk.nodes(f.getNodeList(), where, new Scope(constants(f.getNodeList(), Map.of()), null));
        }
        return walk.bytes;
    }

    private void graph(GraphProto graph, String where, Scope outer) {
        Map<String, TensorProto> initializers = new HashMap<>();
        for (TensorProto t : graph.getInitializerList()) {
            add(tensor(t, "initializer '" + t.getName() + "'" + where));
            initializers.put(t.getName(), t);
        }
        for (SparseTensorProto s : graph.getSparseInitializerList()) {
            // ONNX Runtime turns sparse initializers into dense ones when it loads the graph
            String name = s.getValues().getName();
            String what = "sparse initializer '" + name + "'" + where;
            tensor(s.getValues(), "values of " + what);
            tensor(s.getIndices(), "indices of " + what);
            add(elementsBytes(dims(s.getDimsList(), what), s.getValues().getDataType(), what));
        }
        Map<String, Supplier<LongBuffer>> values = new HashMap<>();
        initializers.forEach((name, t) -> {
            if (t.getDataType() == TensorProto.DataType.INT64_VALUE) {
                values.put(name, () -> int64Values(t));
            }
        });
        nodes(graph.getNodeList(), where, new Scope(constants(graph.getNodeList(), values), outer));
    }

    private void nodes(List<NodeProto> nodes, String where, Scope scope) {
        for (NodeProto n : nodes) {
            String node = "node '" + n.getName() + "' (" + n.getOpType() + ")" + where;
            for (AttributeProto a : n.getAttributeList()) {
                attribute(a, node, scope);
            }
            if (isDefault(n) && n.getOpType().equals("Constant")) {
                for (AttributeProto a : n.getAttributeList()) {
                    // the list forms; tensor forms are counted as attributes above
                    add(Math.multiplyExact((long) a.getFloatsCount(), 4));
                    add(Math.multiplyExact((long) a.getIntsCount(), 8));
                    a.getStringsList().forEach(s -> add(s.size()));
                }
            }
            if (isDefault(n) && n.getOpType().equals("ConstantOfShape") && n.getInputCount() > 0) {
                LongBuffer shape = scope.lookup(n.getInput(0));
                if (shape != null) {
                    add(constantOfShapeBytes(n, shape, node));
                }
            }
        }
    }

    /** The tensors and subgraphs of an attribute of {@code owner} (a node or a function). */
    private void attribute(AttributeProto a, String owner, Scope scope) {
        String where = "attribute '" + a.getName() + "' of " + owner;
        if (a.hasT()) {
            add(tensor(a.getT(), "tensor in " + where));
        }
        for (TensorProto t : a.getTensorsList()) {
            add(tensor(t, "tensor '" + t.getName() + "' in " + where));
        }
        if (a.hasSparseTensor()) {
            add(sparse(a.getSparseTensor(), "sparse tensor in " + where));
        }
        for (SparseTensorProto s : a.getSparseTensorsList()) {
            add(sparse(s, "sparse tensor in " + where));
        }
        if (a.hasG()) {
            graph(a.getG(), " in subgraph '" + a.getName() + "' of " + owner, scope);
        }
        for (GraphProto g : a.getGraphsList()) {
            graph(g, " in subgraph '" + a.getName() + "' of " + owner, scope);
        }
    }

    private static long sparse(SparseTensorProto s, String what) {
        dims(s.getDimsList(), what);
        return Math.addExact(tensor(s.getValues(), "values of " + what), tensor(s.getIndices(), "indices of " + what));
    }

    /** Refuses external data and bad dimensions; returns the bytes the tensor takes once loaded. */
    private static long tensor(TensorProto t, String what) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new InvalidModelException(what + " refers to external data; upload a model with all weights inside the .onnx file");
        }
        long elements = dims(t.getDimsList(), what);
        if (t.getDataType() == TensorProto.DataType.STRING_VALUE) {
            long total = 0;
            for (ByteString s : t.getStringDataList()) {
                total = Math.addExact(total, s.size());
            }
            return total;
        }
        return elementsBytes(elements, t.getDataType(), what);
    }

    /** The element count of a declared shape; refuses a dimension out of range or a count past a long. */
    private static long dims(List<Long> dims, String what) {
        long elements = 1;
        for (long d : dims) {
            if (d < 0 || d > ModelInspector.MAX_DIM) {
                throw new InvalidModelException(what + " declares dimension " + d);
            }
            elements = multiply(elements, d, what + " declares more elements than can be counted");
        }
        return elements;
    }

    private static long constantOfShapeBytes(NodeProto n, LongBuffer shape, String node) {
        int type = TensorProto.DataType.FLOAT_VALUE;
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("value") && a.hasT()) {
                type = a.getT().getDataType();
            }
        }
        long elements = 1;
        for (int i = shape.position(); i < shape.limit(); i++) {
            long d = shape.get(i);
            if (d < 0) {
                throw new InvalidModelException(node + " has a negative dimension (" + d + ") in its constant shape");
            }
            elements = multiply(elements, d, node + " has a constant shape whose element count overflows");
        }
        return elementsBytes(elements, type, node);
    }

    private static long elementsBytes(long elements, int dataType, String what) {
        long bits = multiply(elements, bits(dataType), what + " declares more bytes than can be counted");
        return bits / 8 + (bits % 8 == 0 ? 0 : 1);
    }

    private static long multiply(long a, long b, String overflow) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new InvalidModelException(overflow);
        }
    }

    /** Bits per element of an ONNX data type (numbers, so that types newer than the protobuf classes count too). */
    private static int bits(int dataType) {
        return switch (dataType) {
            case 2, 3, 9, 17, 18, 19, 20, 24 -> 8; // uint8, int8, bool, the float8s, float8e8m0
            case 4, 5, 10, 16 -> 16; // uint16, int16, float16, bfloat16
            case 1, 6, 12 -> FLOAT_BITS; // float, int32, uint32
            case 7, 11, 13, 14 -> 64; // int64, double, uint64, complex64
            case 15 -> 128; // complex128
            case 21, 22, 23 -> 4; // uint4, int4, float4e2m1
            case 25, 26 -> 2; // uint2, int2
            default -> 8;
        };
    }

    /** The constant int64 values by name: the given ones plus the outputs of {@code Constant} nodes. */
    private static Map<String, Supplier<LongBuffer>> constants(List<NodeProto> nodes, Map<String, Supplier<LongBuffer>> known) {
        Map<String, Supplier<LongBuffer>> values = new HashMap<>(known);
        for (NodeProto n : nodes) {
            if (!isDefault(n) || !n.getOpType().equals("Constant") || n.getOutputCount() == 0) {
                continue;
            }
            for (AttributeProto a : n.getAttributeList()) {
                Supplier<LongBuffer> v = null;
                if (a.getName().equals("value") && a.hasT() && a.getT().getDataType() == TensorProto.DataType.INT64_VALUE) {
                    v = () -> int64Values(a.getT());
                } else if (a.getName().equals("value_ints")) {
                    v = () -> LongBuffer.wrap(a.getIntsList().stream().mapToLong(Long::longValue).toArray());
                } else if (a.getName().equals("value_int")) {
                    v = () -> LongBuffer.wrap(new long[] {a.getI()});
                }
                if (v != null) {
                    values.put(n.getOutput(0), v);
                }
            }
        }
        return values;
    }

    /** The values of an int64 tensor (raw little-endian or int64_data); raw data is viewed, not copied. */
    private static LongBuffer int64Values(TensorProto t) {
        if (!t.getRawData().isEmpty()) {
            return t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        }
        return LongBuffer.wrap(t.getInt64DataList().stream().mapToLong(Long::longValue).toArray());
    }

    private static boolean isDefault(NodeProto n) {
        return n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
    }

    private void add(long more) {
        try {
            bytes = Math.addExact(bytes, more);
        } catch (ArithmeticException e) {
            bytes = Long.MAX_VALUE;
        }
    }
}
