package dev.otimo.registry;

import ai.onnx.proto.OnnxMl.ModelProto;
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
