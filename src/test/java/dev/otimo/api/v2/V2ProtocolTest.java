package dev.otimo.api.v2;

import dev.otimo.onnx.Mlp;
import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Every endpoint of the Open Inference Protocol v2 (REST), with and without a version. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class V2ProtocolTest extends ServerTest {

    private String model;

    @BeforeAll
    void deployModel() {
        clients();
        model = unique("sum");
        serve(model, TestModels.sumAndScale());
        int second = upload(model, TestModels.sumAndScale());
        assertThat(second).isEqualTo(2);
    }

    private static final String REQUEST = """
            {"id": "req-42", "inputs": [
              {"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
              {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [10, 20, 30, 40]}]}""";

    @Test
    void liveAndReadyAnswer200() {
        http.get().uri("/v2/health/live").exchange().expectStatus().isOk().expectBody().jsonPath("$.live").isEqualTo(true);
        http.get().uri("/v2/health/ready").exchange().expectStatus().isOk().expectBody().jsonPath("$.ready").isEqualTo(true);
    }

    @Test
    void serverMetadataListsOnlyImplementedExtensions() {
        http.get().uri("/v2").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.name").isEqualTo("otimo")
                .jsonPath("$.version").isNotEmpty()
                .jsonPath("$.extensions.length()").isEqualTo(2)
                .jsonPath("$.extensions[0]").isEqualTo("binary_tensor_data")
                .jsonPath("$.extensions[1]").isEqualTo("schedule_policy");
    }

    @Test
    void modelMetadataDescribesSignatureAndReadyVersions() {
        http.get().uri("/v2/models/{m}", model).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.name").isEqualTo(model)
                .jsonPath("$.platform").isEqualTo("onnxruntime_onnx")
                .jsonPath("$.versions.length()").isEqualTo(2)
                .jsonPath("$.inputs[0].name").isEqualTo("a")
                .jsonPath("$.inputs[0].datatype").isEqualTo("FP32")
                .jsonPath("$.inputs[0].shape[0]").isEqualTo(-1)
                .jsonPath("$.inputs[0].shape[1]").isEqualTo(4)
                .jsonPath("$.outputs[1].name").isEqualTo("scaled")
                .jsonPath("$.parameters.version").isEqualTo("1")
                .jsonPath("$.parameters.device").isEqualTo("cpu");
    }

    @Test
    void versionMetadataNamesTheVersion() {
        http.get().uri("/v2/models/{m}/versions/2", model).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.parameters.version").isEqualTo("2")
                .jsonPath("$.parameters.state").isEqualTo("NOT_DEPLOYED");
    }

    @Test
    void modelReadyWhenAVersionServes() {
        http.get().uri("/v2/models/{m}/ready", model).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.ready").isEqualTo(true).jsonPath("$.version").isEqualTo("1");
    }

    @Test
    void versionReadyOnlyForDeployedVersion() {
        http.get().uri("/v2/models/{m}/versions/1/ready", model).exchange().expectStatus().isOk();
        http.get().uri("/v2/models/{m}/versions/2/ready", model).exchange().expectStatus().isEqualTo(503)
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("not deployed"));
    }

    @Test
    void inferEchoesIdAndNamesServingVersion() {
        JsonNode r = inferOk(model, REQUEST);
        assertThat(r.get("id").asString()).isEqualTo("req-42");
        assertThat(r.get("model_name").asString()).isEqualTo(model);
        assertThat(r.get("model_version").asString()).isEqualTo("1");
        assertThat(floats(r, "sum")).containsExactly(11f, 22f, 33f, 44f);
        assertThat(floats(r, "scaled")).containsExactly(2f, 4f, 6f, 8f);
    }

    @Test
    void versionedInferReachesThatVersion() {
        http.post().uri("/v2/models/{m}/versions/1/infer", model).bodyValue(REQUEST).header("Content-Type", "application/json")
                .exchange().expectStatus().isOk()
                .expectHeader().valueEquals("X-Otimo-Model-Version", "1")
                .expectBody().jsonPath("$.model_version").isEqualTo("1");
    }

    @Test
    void outputsSelectsOutputs() {
        JsonNode r = inferOk(model, """
                {"inputs": [
                  {"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
                  {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [1, 1, 1, 1]}],
                 "outputs": [{"name": "scaled"}]}""");
        assertThat(r.get("outputs").size()).isEqualTo(1);
        assertThat(r.get("outputs").get(0).get("name").asString()).isEqualTo("scaled");
        assertThat(r.has("id")).isFalse();
    }

    @Test
    void flatAndNestedDataGiveIdenticalOutputs() {
        String flat = """
                {"inputs": [
                  {"name": "a", "shape": [2, 4], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6, 7, 8]},
                  {"name": "b", "shape": [2, 4], "datatype": "FP32", "data": [0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1]}]}""";
        String nested = """
                {"inputs": [
                  {"name": "a", "shape": [2, 4], "datatype": "FP32", "data": [[1, 2, 3, 4], [5, 6, 7, 8]]},
                  {"name": "b", "shape": [2, 4], "datatype": "FP32", "data": [[0.5, 0.5, 0.5, 0.5], [1, 1, 1, 1]]}]}""";
        JsonNode a = inferOk(model, flat);
        JsonNode b = inferOk(model, nested);
        assertThat(a.get("outputs")).isEqualTo(b.get("outputs"));
        assertThat(floats(a, "sum")).containsExactly(1.5f, 2.5f, 3.5f, 4.5f, 6f, 7f, 8f, 9f);
    }

    @Test
    void threeRowRequestReturnsThreeRows() {
        JsonNode r = inferOk(model, """
                {"inputs": [
                  {"name": "a", "shape": [3, 4], "datatype": "FP32", "data": [1,1,1,1, 2,2,2,2, 3,3,3,3]},
                  {"name": "b", "shape": [3, 4], "datatype": "FP32", "data": [0,0,0,0, 0,0,0,0, 1,1,1,1]}]}""");
        JsonNode sum = output(r, "sum");
        assertThat(sum.get("shape").get(0).asInt()).isEqualTo(3);
        assertThat(sum.get("shape").get(1).asInt()).isEqualTo(4);
        assertThat(floats(r, "sum")).containsExactly(1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4);
    }

    @Test
    void dataBeforeDatatypeInTheInputObjectIsAccepted() {
        JsonNode r = inferOk(model, """
                {"inputs": [
                  {"data": [1, 2, 3, 4], "name": "a", "shape": [1, 4], "datatype": "FP32"},
                  {"name": "b", "data": [[1, 1, 1, 1]], "datatype": "FP32", "shape": [1, 4]}]}""");
        assertThat(floats(r, "sum")).containsExactly(2f, 3f, 4f, 5f);
    }

    @Test
    void mlpAnswerMatchesAcrossSingleAndMultiRowRequests() {
        String mlp = unique("mlp");
        serve(mlp, Mlp.layered("mlp", new int[] {8, 16, 4}, 7).toByteArray());
        String row1 = "[0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8]";
        String row2 = "[1, 2, 3, 4, 5, 6, 7, 8]";
        JsonNode one = inferOk(mlp, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,8],\"datatype\":\"FP32\",\"data\":" + row1 + "}]}");
        JsonNode two = inferOk(mlp, "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,8],\"datatype\":\"FP32\",\"data\":[" + row1 + "," + row2 + "]}]}");
        float[] a = floats(one, "output");
        float[] b = floats(two, "output");
        for (int i = 0; i < 4; i++) {
            assertThat(b[i]).isCloseTo(a[i], within(1e-5f));
        }
    }

    static JsonNode output(JsonNode response, String name) {
        for (JsonNode o : response.get("outputs")) {
            if (o.get("name").asString().equals(name)) {
                return o;
            }
        }
        throw new AssertionError("no output " + name + " in " + response);
    }

    static float[] floats(JsonNode response, String name) {
        JsonNode data = output(response, name).get("data");
        float[] out = new float[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).floatValue();
        }
        return out;
    }
}
