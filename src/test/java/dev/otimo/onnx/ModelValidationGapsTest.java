package dev.otimo.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.otimo.runtime.ModelSession;
import dev.otimo.runtime.OrtRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@link ModelInspector} refuses beyond the graph's own initializers: external data wherever a
 * tensor can sit (sparse initializers, functions, tensor-list and sparse attributes, subgraphs at any
 * depth), and constants over the byte budget, {@code ConstantOfShape} outputs of constant shape
 * included. Also that the upload's load check folds no constants.
 */
class ModelValidationGapsTest {

    private static final String EXTERNAL = "refers to external data";
    private static final String BUDGET = "(otimo.validation.max-constant-bytes)";

    @TempDir
    Path dir;

    /** A tensor whose data ONNX Runtime would read from a file on the server's disk. */
    private static TensorProto external(TensorProto t) {
        return t.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("../../../../etc/passwd"))
                .build();
    }

    private static TensorProto floats(String name, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return GraphBuilder.floatTensor(name, new float[(int) n], dims);
    }

    private static TensorProto int64s(String name, long... values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        return GraphBuilder.tensor(name, TensorProto.DataType.INT64, raw.array(), values.length);
    }

    /** y = x over [batch, 3], plus whatever the test adds to the graph. */
    private static GraphBuilder identity(String name) {
        return GraphBuilder.named(name)
                .input("x", TensorProto.DataType.FLOAT, -1, 3)
                .output("y", TensorProto.DataType.FLOAT, -1, 3)
                .node("Identity", List.of("x"), List.of("y"));
    }

    private static ModelProto withGraph(ModelProto model, java.util.function.UnaryOperator<GraphProto.Builder> edit) {
        return model.toBuilder().setGraph(edit.apply(model.getGraph().toBuilder())).build();
    }

    private static AttributeProto graphAttr(String name, GraphProto g) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH).setG(g).build();
    }

    private static AttributeProto tensorAttr(String name, TensorProto t) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(t).build();
    }

    private static NodeProto node(String op, String name, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addAllOutput(outputs)
                .addAllAttribute(List.of(attributes)).build();
    }

    private static SparseTensorProto sparse(TensorProto values, TensorProto indices, long... dims) {
        SparseTensorProto.Builder s = SparseTensorProto.newBuilder().setValues(values).setIndices(indices);
        for (long d : dims) {
            s.addDims(d);
        }
        return s.build();
    }

    /** A branch graph with one float output computed from the given nodes. */
    private static GraphProto branch(String name, String output, List<TensorProto> initializers, NodeProto... nodes) {
        return GraphProto.newBuilder().setName(name).addAllInitializer(initializers).addAllNode(List.of(nodes))
                .addOutput(GraphBuilder.valueInfo(output, TensorProto.DataType.FLOAT, -1, 3)).build();
    }

    private static void refused(ModelProto model, String... fragments) {
        assertThatThrownBy(() -> ModelInspector.inspect(model)).isInstanceOf(InvalidModelException.class)
                .message().contains(fragments);
    }

    // external data

    @Test
    void externalDataInSparseInitializerValuesIsRefused() {
        ModelProto model = withGraph(identity("sparse_values").build(), g -> g.addSparseInitializer(
                sparse(external(floats("s", 1)), int64s("s_idx", 0), 3)));
        refused(model, "values of sparse initializer 's'", EXTERNAL);
    }

    @Test
    void externalDataInSparseInitializerIndicesIsRefused() {
        ModelProto model = withGraph(identity("sparse_indices").build(), g -> g.addSparseInitializer(
                sparse(floats("s", 1), external(int64s("s_idx", 0)), 3)));
        refused(model, "indices of sparse initializer 's'", EXTERNAL);
    }

    @Test
    void externalDataInFunctionConstantNodeIsRefused() {
        FunctionProto f = FunctionProto.newBuilder().setName("shift").setDomain("local").addInput("a").addOutput("b")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .addNode(node("Constant", "k", List.of(), List.of("c"), tensorAttr("value", external(floats("k", 3)))))
                .addNode(node("Add", "add", List.of("a", "c"), List.of("b")))
                .build();
        ModelProto base = GraphBuilder.named("function_constant")
                .input("x", TensorProto.DataType.FLOAT, -1, 3)
                .output("y", TensorProto.DataType.FLOAT, -1, 3)
                .build();
        ModelProto model = withGraph(base, g -> g.addNode(node("shift", "call", List.of("x"), List.of("y")).toBuilder()
                .setDomain("local"))).toBuilder()
                .addFunctions(f).addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("local").setVersion(1)).build();
        refused(model, "node 'k' (Constant) in function 'shift'", EXTERNAL);
    }

    @Test
    void externalDataInTensorsAttributeIsRefused() {
        AttributeProto tensors = AttributeProto.newBuilder().setName("weights").setType(AttributeProto.AttributeType.TENSORS)
                .addTensors(floats("fine", 2)).addTensors(external(floats("w", 3))).build();
        ModelProto model = withGraph(identity("tensors_attr").build(), g -> g.setNode(0, g.getNode(0).toBuilder().addAttribute(tensors)));
        refused(model, "tensor 'w' in attribute 'weights'", EXTERNAL);
    }

    @Test
    void externalDataInSparseTensorAttributeIsRefused() {
        AttributeProto sparseValue = AttributeProto.newBuilder().setName("sparse_value")
                .setType(AttributeProto.AttributeType.SPARSE_TENSOR)
                .setSparseTensor(sparse(external(floats("v", 1)), int64s("i", 0), 3)).build();
        ModelProto model = withGraph(identity("sparse_attr").build(),
                g -> g.addNode(node("Constant", "sparse_constant", List.of(), List.of("unused"), sparseValue)));
        refused(model, "attribute 'sparse_value' of node 'sparse_constant'", EXTERNAL);
    }

    @Test
    void externalDataInSubgraphOfIfNestedInIfIsRefused() {
        GraphProto innerThen = branch("inner_then", "t", List.of(), node("Add", "deep_add", List.of("x", "deep"), List.of("t")))
                .toBuilder().addSparseInitializer(sparse(external(floats("deep", 1)), int64s("deep_idx", 0), 1, 3)).build();
        GraphProto innerElse = branch("inner_else", "e", List.of(), node("Identity", "e_id", List.of("x"), List.of("e")));
        GraphProto outerThen = branch("outer_then", "o", List.of(),
                node("If", "inner_if", List.of("cond"), List.of("o"), graphAttr("then_branch", innerThen),
                        graphAttr("else_branch", innerElse)));
        GraphProto outerElse = branch("outer_else", "p", List.of(), node("Identity", "p_id", List.of("x"), List.of("p")));
        ModelProto model = GraphBuilder.named("nested_if")
                .input("x", TensorProto.DataType.FLOAT, -1, 3)
                .input("cond", TensorProto.DataType.BOOL)
                .output("y", TensorProto.DataType.FLOAT, -1, 3)
                .node("If", List.of("cond"), List.of("y"), graphAttr("then_branch", outerThen), graphAttr("else_branch", outerElse))
                .build();
        refused(model, "sparse initializer 'deep' in subgraph 'then_branch' of node 'inner_if' (If) in subgraph 'then_branch'",
                EXTERNAL);
    }

    @Test
    void externalDataInGraphsAttributeIsRefused() {
        AttributeProto graphs = AttributeProto.newBuilder().setName("bodies").setType(AttributeProto.AttributeType.GRAPHS)
                .addGraphs(branch("body", "b", List.of(), node("Constant", "b_const", List.of(), List.of("b"),
                        AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSORS)
                                .addTensors(external(floats("w", 3))).build())))
                .build();
        ModelProto model = withGraph(identity("graphs_attr").build(), g -> g.setNode(0, g.getNode(0).toBuilder().addAttribute(graphs)));
        refused(model, "tensor 'w' in attribute 'value' of node 'b_const' (Constant) in subgraph 'bodies' of node 'Identity_0'",
                EXTERNAL);
    }

    // the constants budget

    /**
     * y = x, and beside it a ConstantOfShape of the given constant shape whose output nothing uses: the
     * point is its size. Its bytes add to the shape's (8 per value) and the value's own.
     */
    private static ModelProto constantOfShape(String name, TensorProto.DataType valueType, long... shape) {
        TensorProto value = GraphBuilder.tensor("value", valueType, new byte[valueType == TensorProto.DataType.INT8 ? 1 : 4], 1);
        return withGraph(identity(name).build(), g -> g.addInitializer(int64s("shape", shape))
                .addNode(node("ConstantOfShape", "fill", List.of("shape"), List.of("filled"), tensorAttr("value", value))));
    }

    @Test
    void constantOfShapeOfHugeConstantShapeIsOverTheBudget() {
        refused(constantOfShape("bomb", TensorProto.DataType.FLOAT, 100_000, 100_000),
                "constants would need 40000000020 bytes, over the budget of 2147483648 " + BUDGET);
    }

    @Test
    void constantOfShapeCountsTheElementSizeOfItsValue() {
        // 2.5e9 one-byte elements (over 2 GiB), not 1e10 bytes as floats would take
        refused(constantOfShape("int8_bomb", TensorProto.DataType.INT8, 50_000, 50_000), "constants would need 2500000017 bytes");
    }

    @Test
    void constantOfShapeInSubgraphWithShapeFromOuterConstantNodeIsOverTheBudget() {
        NodeProto shape = node("Constant", "shape_const", List.of(), List.of("shape"),
                AttributeProto.newBuilder().setName("value_ints").setType(AttributeProto.AttributeType.INTS)
                        .addInts(100_000).addInts(100_000).build());
        GraphProto thenBranch = branch("then", "t", List.of(),
                node("ConstantOfShape", "fill", List.of("shape"), List.of("filled")),
                node("Identity", "t_id", List.of("x"), List.of("t")));
        GraphProto elseBranch = branch("else", "e", List.of(), node("Identity", "e_id", List.of("x"), List.of("e")));
        ModelProto model = GraphBuilder.named("scoped_bomb")
                .input("x", TensorProto.DataType.FLOAT, -1, 3)
                .input("cond", TensorProto.DataType.BOOL)
                .output("y", TensorProto.DataType.FLOAT, -1, 3)
                .build();
        model = withGraph(model, g -> g.addNode(shape).addNode(node("If", "branch", List.of("cond"), List.of("y"),
                graphAttr("then_branch", thenBranch), graphAttr("else_branch", elseBranch))));
        // no value attribute: floats
        refused(model, "constants would need 40000000016 bytes", BUDGET);
    }

    @Test
    void constantOfShapeWithNegativeShapeIsRefused() {
        refused(constantOfShape("negative", TensorProto.DataType.FLOAT, 4, -1), "node 'fill' (ConstantOfShape)", "negative dimension");
    }

    @Test
    void constantOfShapeWithOverflowingShapeIsRefused() {
        refused(constantOfShape("overflow", TensorProto.DataType.FLOAT, 1L << 40, 1L << 40, 1L << 40), "overflows");
    }

    @Test
    void sparseInitializerCountsAtItsDenseSize() {
        // one stored value, but ONNX Runtime makes it a dense 100000 x 100000 float tensor when it loads
        ModelProto model = withGraph(identity("sparse_bomb").build(), g -> g.addSparseInitializer(
                sparse(floats("s", 1), int64s("s_idx", 0), 100_000, 100_000)));
        refused(model, "constants would need 40000000000 bytes", BUDGET);
    }

    @Test
    void initializersOverAConfiguredBudgetAreRefusedAndUnderItPass() {
        ModelProto model = withGraph(identity("weights").build(), g -> g.addInitializer(floats("w", 32, 32)));
        assertThatThrownBy(() -> ModelInspector.inspect(model, 4095)).isInstanceOf(InvalidModelException.class)
                .hasMessage("constants would need 4096 bytes, over the budget of 4095 " + BUDGET);
        assertThat(ModelInspector.inspect(model, 4096).signature().inputs()).hasSize(1);
    }

    @Test
    void constantNodeValuesCountTowardsTheBudget() {
        ModelProto model = withGraph(identity("constant_values").build(), g -> g
                .addNode(node("Constant", "c", List.of(), List.of("c_out"), tensorAttr("value", floats("c", 16, 16))))
                .addNode(node("Constant", "d", List.of(), List.of("d_out"),
                        AttributeProto.newBuilder().setName("value_floats").setType(AttributeProto.AttributeType.FLOATS)
                                .addAllFloats(List.of(1f, 2f, 3f, 4f)).build())));
        assertThatThrownBy(() -> ModelInspector.inspect(model, 1039)).hasMessageContaining("constants would need 1040 bytes");
    }

    // models that are fine pass, and the upload's load check folds nothing

    @Test
    void smallConstantOfShapeAndSparseInitializerPassAndLoad() throws Exception {
        ModelProto model = GraphBuilder.named("fine")
                .input("x", TensorProto.DataType.FLOAT, -1, 3)
                .output("y", TensorProto.DataType.FLOAT, -1, 3)
                .initializer("shape", new long[] {1, 3}, 2)
                .node("ConstantOfShape", List.of("shape"), List.of("ones"), tensorAttr("value", GraphBuilder.floatTensor("one", new float[] {1f}, 1)))
                .node("Add", List.of("x", "ones"), List.of("sum"))
                .node("Add", List.of("sum", "s"), List.of("y"))
                .build();
        ModelProto withSparse = withGraph(model, g -> g.addSparseInitializer(sparse(floats("s", 1), int64s("s_idx", 2), 3)));
        ModelInfo info = ModelInspector.inspect(withSparse);
        Path file = dir.resolve("fine.onnx");
        Files.write(file, withSparse.toByteArray());
        try (ModelSession session = new OrtRuntime().openForValidation(file, info.signature())) {
            assertThat(session.placement().actual().toString()).isEqualTo("cpu");
        }
    }

    @Test
    void validationLoadDoesNotFoldConstantOfShapeOfHugeConstantShape() throws Exception {
        // never past the inspector's budget, but loaded anyway: constant folding would fill 40 GB at load
        // (a 20000 x 20000 one takes ONNX Runtime 8 s and 1.6 GB with optimisation on); the validation
        // load must not even try
        ModelProto model = constantOfShape("unfolded", TensorProto.DataType.FLOAT, 100_000, 100_000);
        Path file = dir.resolve("unfolded.onnx");
        Files.write(file, model.toByteArray());
        ModelInfo info = ModelInspector.inspect(model, Long.MAX_VALUE);
        long before = residentBytes();
        resetPeakResident();
        long started = System.nanoTime();
        try (ModelSession ignored = new OrtRuntime().openForValidation(file, info.signature())) {
            assertThat(System.nanoTime() - started).as("load time (ns)").isLessThan(5_000_000_000L);
            assertThat(peakResidentBytes() - before).as("peak resident memory growth of the load").isLessThan(512L << 20);
        }
    }

    private static long status(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no " + field + " in /proc/self/status");
    }

    private static long residentBytes() throws Exception {
        return status("VmRSS");
    }

    /** The peak resident size since {@link #resetPeakResident()}. */
    private static long peakResidentBytes() throws Exception {
        return status("VmHWM");
    }

    private static void resetPeakResident() throws Exception {
        // "5" resets the peak resident size to the current one (Linux 4.0 and later)
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    }
}
