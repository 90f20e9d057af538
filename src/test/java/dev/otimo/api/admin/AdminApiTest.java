package dev.otimo.api.admin;

import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import tools.jackson.databind.JsonNode;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin API's model, version and deployment endpoints, and its authentication. */
class AdminApiTest extends ServerTest {

    @Test
    void createListGetModel() {
        String model = unique("admin");
        admin.post().uri("/api/v1/models").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", model, "description", "a model")).exchange()
                .expectStatus().isCreated().expectBody().jsonPath("$.name").isEqualTo(model);
        admin.get().uri("/api/v1/models").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$[?(@.name == '" + model + "')].description").isEqualTo("a model");
        admin.get().uri("/api/v1/models/{m}", model).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.versions.length()").isEqualTo(0);
    }

    @Test
    void duplicateModelNameIs409() {
        String model = unique("dup");
        admin.post().uri("/api/v1/models").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", model))
                .exchange().expectStatus().isCreated();
        admin.post().uri("/api/v1/models").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", model))
                .exchange().expectStatus().isEqualTo(409).expectBody().jsonPath("$.error").isNotEmpty();
    }

    @Test
    void invalidModelNameIs400() {
        admin.post().uri("/api/v1/models").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "../etc"))
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.error").isNotEmpty();
    }

    @Test
    void uploadRecordsSignatureHashAndSize() {
        String model = unique("upload");
        byte[] onnx = TestModels.sumAndScale();
        upload(model, onnx);
        JsonNode v = admin.get().uri("/api/v1/models/{m}/versions/1", model).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(v.get("status").asString()).isEqualTo("READY");
        assertThat(v.get("sizeBytes").asLong()).isEqualTo(onnx.length);
        assertThat(v.get("sha256").asString()).hasSize(64);
        assertThat(v.get("opset").asInt()).isEqualTo(17);
        assertThat(v.get("inputs").get(0).get("name").asString()).isEqualTo("a");
        assertThat(v.get("batchable").asBoolean()).isTrue();
        byte[] artifact = admin.get().uri("/api/v1/models/{m}/versions/1/artifact", model).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(artifact).isEqualTo(onnx);
    }

    @Test
    void uploadWithoutFilePartIs400() {
        String model = unique("nofile");
        admin.post().uri("/api/v1/models").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", model)).exchange();
        admin.post().uri("/api/v1/models/{m}/versions", model)
                .body(BodyInserters.fromMultipartData("other", "x")).exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("'file'"));
    }

    @Test
    void deployWithDefaultPolicyThenUndeploy() {
        String model = unique("deploy");
        int v = upload(model, TestModels.sumAndScale());
        JsonNode d = deploy(model, v, null);
        assertThat(d.get("state").asString()).isEqualTo("READY");
        assertThat(d.get("device").asString()).isEqualTo("cpu");
        assertThat(d.get("batching").get("maxBatchSize").asInt()).isEqualTo(64);
        admin.delete().uri("/api/v1/models/{m}/versions/{v}", model, v).exchange().expectStatus().isEqualTo(409);
        admin.delete().uri("/api/v1/models/{m}", model).exchange().expectStatus().isEqualTo(409);
        admin.delete().uri("/api/v1/models/{m}/versions/{v}/deployment", model, v).exchange().expectStatus().isNoContent();
        http.get().uri("/v2/models/{m}/versions/{v}/ready", model, v).exchange().expectStatus().isEqualTo(503);
        admin.delete().uri("/api/v1/models/{m}/versions/{v}", model, v).exchange().expectStatus().isNoContent();
        admin.delete().uri("/api/v1/models/{m}", model).exchange().expectStatus().isNoContent();
        http.get().uri("/v2/models/{m}", model).exchange().expectStatus().isNotFound();
    }

    @Test
    void versionNamedByRoutingCannotBeDeleted() {
        String model = unique("routed");
        int v1 = serve(model, TestModels.sumAndScale());
        int v2 = serve(model, TestModels.sumAndScale());
        admin.put().uri("/api/v1/models/{m}/routing", model).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"variants\": [{\"version\": " + v1 + ", \"weight\": 50}, {\"version\": " + v2 + ", \"weight\": 50}]}")
                .exchange().expectStatus().isOk();
        admin.delete().uri("/api/v1/models/{m}/versions/{v}/deployment", model, v2).exchange().expectStatus().isNoContent();
        admin.delete().uri("/api/v1/models/{m}/versions/{v}", model, v2).exchange().expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("routing"));
        admin.delete().uri("/api/v1/models/{m}/routing", model).exchange().expectStatus().isNoContent();
        admin.delete().uri("/api/v1/models/{m}/versions/{v}", model, v2).exchange().expectStatus().isNoContent();
    }

    @Test
    void badBatchingPolicyIs400() {
        String model = unique("policy");
        int v = upload(model, TestModels.sumAndScale());
        admin.put().uri("/api/v1/models/{m}/versions/{v}/deployment", model, v).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"batching\": {\"maxBatchSize\": 8, \"preferredBatchSizes\": [16]}}").exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("preferredBatchSizes"));
    }

    @Test
    void adminApiNeedsCredentials() {
        // no Basic challenge, for browsers and others alike: a browser would ask for the password and keep it
        http.get().uri("/api/v1/models").exchange().expectStatus().isUnauthorized()
                .expectHeader().doesNotExist("WWW-Authenticate")
                .expectBody().jsonPath("$.error").isNotEmpty();
        http.get().uri("/api/v1/models").header("Authorization", "Basic " + java.util.Base64.getEncoder()
                .encodeToString("admin:wrong".getBytes())).exchange().expectStatus().isUnauthorized();
        http.get().uri("/api/v1/models").header("X-Requested-With", "XMLHttpRequest").exchange()
                .expectStatus().isUnauthorized().expectHeader().doesNotExist("WWW-Authenticate");
    }

    @Test
    void unauthenticatedWritesChangeNothing() {
        String model = unique("nowrite");
        http.post().uri("/api/v1/models").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", model))
                .exchange().expectStatus().isUnauthorized();
        admin.get().uri("/api/v1/models/{m}", model).exchange().expectStatus().isNotFound();
    }
}
