package dev.otimo.registry;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.otimo.onnx.GraphBuilder;
import dev.otimo.onnx.Mlp;
import dev.otimo.support.ServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import tools.jackson.databind.JsonNode;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every refused upload answers 4xx with the reason, and no version becomes READY: the bad file
 * either leaves nothing or a FAILED version carrying that reason.
 */
class UploadValidationTest extends ServerTest {

    private void expectRefused(byte[] file, String fragment) {
        String model = unique("refuse");
        admin.post().uri("/api/v1/models").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", model))
                .exchange().expectStatus().isCreated();
        admin.post().uri("/api/v1/models/{m}/versions", model).body(BodyInserters.fromMultipartData(multipart(file)))
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").value(e -> assertThat(((String) e).toLowerCase()).contains(fragment.toLowerCase()));
        JsonNode versions = admin.get().uri("/api/v1/models/{m}", model).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("versions");
        for (JsonNode v : versions) {
            assertThat(v.get("status").asString()).isEqualTo("FAILED");
            assertThat(v.get("statusReason").asString().toLowerCase()).contains(fragment.toLowerCase());
        }
        http.get().uri("/v2/models/{m}", model).exchange().expectStatus().isEqualTo(503);
    }

    @Test
    void emptyFileIsRefused() {
        expectRefused(new byte[0], "empty");
    }

    @Test
    void fileThatIsNotOnnxIsRefused() {
        expectRefused("{\"this\": \"is json\"}".getBytes(), "not an ONNX model");
    }

    @Test
    void truncatedModelIsRefused() {
        byte[] whole = Mlp.layered("t", new int[] {16, 32, 4}, 1).toByteArray();
        expectRefused(Arrays.copyOf(whole, whole.length / 2), "not an ONNX model");
    }

    @Test
    void externalDataPathTraversalIsRefused() {
        ModelProto base = Mlp.layered("ext", new int[] {4, 4}, 1);
        TensorProto w = base.getGraph().getInitializer(0).toBuilder().clearRawData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("../../../../etc/passwd"))
                .build();
        ModelProto evil = base.toBuilder().setGraph(base.getGraph().toBuilder().setInitializer(0, w)).build();
        expectRefused(evil.toByteArray(), "external data");
    }

    @Test
    void externalDataInSparseInitializerOfIfSubgraphIsRefused() {
        TensorProto hidden = GraphBuilder.floatTensor("hidden", new float[1], 1).toBuilder().clearRawData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("/etc/shadow"))
                .build();
        TensorProto index = GraphBuilder.tensor("hidden_idx", TensorProto.DataType.INT64, new byte[8], 1);
        GraphProto thenBranch = GraphProto.newBuilder().setName("then")
                .addSparseInitializer(SparseTensorProto.newBuilder().setValues(hidden).setIndices(index).addDims(1).addDims(3))
                .addNode(NodeProto.newBuilder().setOpType("Add").setName("leak").addInput("x").addInput("hidden").addOutput("t"))
                .addOutput(GraphBuilder.valueInfo("t", TensorProto.DataType.FLOAT, -1, 3)).build();
        GraphProto elseBranch = GraphProto.newBuilder().setName("else")
                .addNode(NodeProto.newBuilder().setOpType("Identity").setName("pass").addInput("x").addOutput("e"))
                .addOutput(GraphBuilder.valueInfo("e", TensorProto.DataType.FLOAT, -1, 3)).build();
        byte[] model = GraphBuilder.named("if-external")
                .input("x", TensorProto.DataType.FLOAT, -1, 3)
                .input("cond", TensorProto.DataType.BOOL)
                .output("y", TensorProto.DataType.FLOAT, -1, 3)
                .node("If", List.of("cond"), List.of("y"),
                        AttributeProto.newBuilder().setName("then_branch").setType(AttributeProto.AttributeType.GRAPH).setG(thenBranch).build(),
                        AttributeProto.newBuilder().setName("else_branch").setType(AttributeProto.AttributeType.GRAPH).setG(elseBranch).build())
                .toBytes();
        expectRefused(model, "values of sparse initializer 'hidden' in subgraph 'then_branch' of node 'If_0' (If) refers to external data");
    }

    @Test
    void constantOfShapeOfHugeConstantShapeIsRefusedFastWithoutBeingBuilt() {
        // 100000 x 100000 floats: 40 GB if ONNX Runtime folded it at load; refused before any load instead
        byte[] bomb = GraphBuilder.named("bomb")
                .input("x", TensorProto.DataType.FLOAT, -1, 3)
                .output("y", TensorProto.DataType.FLOAT, -1, 3)
                .initializer("shape", new long[] {100_000, 100_000}, 2)
                .node("ConstantOfShape", List.of("shape"), List.of("filled"))
                .node("ReduceMax", List.of("filled"), List.of("max"), GraphBuilder.attr("keepdims", 0L))
                .node("Add", List.of("x", "max"), List.of("y"))
                .toBytes();
        long started = System.nanoTime();
        expectRefused(bomb, "constants would need 40000000016 bytes, over the budget of 2147483648 (otimo.validation.max-constant-bytes)");
        assertThat(System.nanoTime() - started).as("time to refuse (ns)").isLessThan(10_000_000_000L);
    }

    @Test
    void absurdDeclaredDimensionsAreRefused() {
        byte[] absurd = GraphBuilder.named("absurd")
                .input("x", TensorProto.DataType.FLOAT, -1, 1L << 40)
                .output("y", TensorProto.DataType.FLOAT, -1, 1L << 40)
                .node("Identity", List.of("x"), List.of("y"))
                .toBytes();
        expectRefused(absurd, "dimension");
    }

    @Test
    void unsupportedOpsetIsRefused() {
        byte[] future = GraphBuilder.named("future").opset(99)
                .input("x", TensorProto.DataType.FLOAT, -1, 2)
                .output("y", TensorProto.DataType.FLOAT, -1, 2)
                .node("Identity", List.of("x"), List.of("y"))
                .toBytes();
        expectRefused(future, "opset 99");
    }

    @Test
    void modelOnnxRuntimeCannotLoadIsRefused() {
        byte[] unknownOp = GraphBuilder.named("unknown-op")
                .input("x", TensorProto.DataType.FLOAT, -1, 2)
                .output("y", TensorProto.DataType.FLOAT, -1, 2)
                .node("NoSuchOperator", List.of("x"), List.of("y"))
                .toBytes();
        expectRefused(unknownOp, "cannot load");
    }

    @Test
    void fileOverTheUploadLimitIs413AndNothingIsStored() {
        String model = unique("big");
        admin.post().uri("/api/v1/models").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", model))
                .exchange().expectStatus().isCreated();
        admin.post().uri("/api/v1/models/{m}/versions", model)
                .body(BodyInserters.fromMultipartData(multipart(new byte[9 * 1024 * 1024]))).exchange()
                .expectStatus().isEqualTo(413).expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("upload limit"));
        admin.get().uri("/api/v1/models/{m}", model).exchange().expectBody().jsonPath("$.versions.length()").isEqualTo(0);
    }
}
