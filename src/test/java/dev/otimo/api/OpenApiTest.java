package dev.otimo.api;

import dev.otimo.support.ServerTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI document lists every v2 and admin endpoint with real schemas. */
class OpenApiTest extends ServerTest {

    @Test
    void documentListsEveryV2AndAdminEndpoint() {
        JsonNode doc = http.get().uri("/v3/api-docs").exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        JsonNode paths = doc.get("paths");
        for (String path : List.of("/v2/health/live", "/v2/health/ready", "/v2", "/v2/models/{model}",
                "/v2/models/{model}/versions/{version}", "/v2/models/{model}/ready", "/v2/models/{model}/versions/{version}/ready",
                "/v2/models/{model}/infer", "/v2/models/{model}/versions/{version}/infer",
                "/api/v1/models", "/api/v1/models/{model}", "/api/v1/models/{model}/versions",
                "/api/v1/models/{model}/versions/{version}", "/api/v1/models/{model}/versions/{version}/artifact",
                "/api/v1/models/{model}/versions/{version}/deployment")) {
            assertThat(paths.has(path)).as(path).isTrue();
        }
    }

    @Test
    void inferRequestAndResponseHaveRealSchemas() {
        JsonNode doc = http.get().uri("/v3/api-docs").exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        JsonNode infer = doc.get("paths").get("/v2/models/{model}/infer").get("post");
        assertThat(infer.get("requestBody").get("content").get("application/json").get("schema").get("$ref").asString())
                .endsWith("/InferenceRequest");
        JsonNode schemas = doc.get("components").get("schemas");
        JsonNode request = schemas.get("InferenceRequest").get("properties");
        assertThat(request.has("inputs")).isTrue();
        assertThat(request.get("inputs").get("items").get("$ref").asString()).endsWith("/InferenceRequestInput");
        JsonNode input = schemas.get("InferenceRequestInput").get("properties");
        assertThat(input.get("shape").get("type").asString()).isEqualTo("array");
        assertThat(input.get("datatype").get("enum").size()).isEqualTo(13);
        assertThat(schemas.get("InferenceResponse").get("properties").has("model_version")).isTrue();
        assertThat(schemas.get("Error").get("properties").has("error")).isTrue();
        assertThat(schemas.get("Error").get("properties").has("correlationId")).isTrue();
        assertThat(schemas.get("Error").path("required").toString()).doesNotContain("correlationId");
        assertThat(schemas.get("Deployment").get("properties").has("batching")).isTrue();
        assertThat(doc.get("components").get("securitySchemes").has("basic")).isTrue();
    }

    @Test
    void swaggerUiIsServed() {
        http.get().uri("/swagger-ui/index.html").exchange().expectStatus().isOk();
    }
}
