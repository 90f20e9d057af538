package dev.otimo.api.admin;

import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every admin write is in the audit log with the admin as actor, written by the service that made
 * the change: API keys, rejected uploads, compressions and calibration sets included.
 */
class AdminWritesAuditTest extends ServerTest {

    @Test
    void apiKeysCompressionsCalibrationSetsAndRejectedUploadsAreAudited() {
        String model = unique("audit-all");
        int v = upload(model, TestModels.sumAndScale());
        // a rejected upload changed the registry too (a FAILED version): it is audited with the reason
        admin.post().uri("/api/v1/models/{m}/versions", model)
                .body(BodyInserters.fromMultipartData(multipart("not an onnx model".getBytes(StandardCharsets.UTF_8))))
                .exchange().expectStatus().isBadRequest();

        String keyName = unique("audit-key");
        JsonNode key = admin.post().uri("/api/v1/api-keys").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", keyName)).exchange().expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        admin.delete().uri("/api/v1/api-keys/{id}", key.get("id").asLong()).exchange().expectStatus().isNoContent();

        JsonNode set = uploadCalibrationSet(model, ("{\"inputs\":[{\"name\":\"a\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]},"
                + "{\"name\":\"b\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}\n").getBytes(StandardCharsets.UTF_8));
        admin.delete().uri("/api/v1/models/{m}/calibration-sets/{id}", model, set.get("uploadId").asString())
                .exchange().expectStatus().isNoContent();
        admin.post().uri("/api/v1/models/{m}/versions/{v}/compressions", model, v).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"method\": \"optimize\"}").exchange().expectStatus().isAccepted();

        JsonNode entries = admin.get().uri("/api/v1/audit?limit=200").exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        List<JsonNode> mine = new ArrayList<>();
        for (JsonNode e : entries) {
            String detail = e.path("detail").asString("");
            if (model.equals(e.path("model").asString(null)) || detail.contains(keyName)) {
                mine.add(e);
            }
        }
        List<String> actions = mine.stream().map(e -> e.get("action").asString()).toList();
        assertThat(actions).contains("model.create", "version.upload", "version.rejected", "apikey.create", "apikey.delete",
                "calibration.upload", "calibration.delete", "compression.submit");
        // newest first: the submission is the newest of this test's own actions
        assertThat(actions.subList(0, actions.indexOf("compression.submit") + 1))
                .allMatch(a -> a.equals("compression.submit") || a.equals("version.compressed"));
        mine.stream().filter(e -> !e.get("action").asString().equals("version.compressed"))
                .forEach(e -> assertThat(e.get("actor").asString()).as(e.toString()).isEqualTo("admin"));
        JsonNode rejected = mine.stream().filter(e -> e.get("action").asString().equals("version.rejected")).findFirst().orElseThrow();
        assertThat(rejected.get("version").asInt()).isEqualTo(v + 1);
        assertThat(rejected.get("detail").asString()).contains("not an ONNX model");
        JsonNode created = mine.stream().filter(e -> e.get("action").asString().equals("apikey.create")).findFirst().orElseThrow();
        assertThat(created.get("detail").asString()).contains(keyName).doesNotContain(key.get("key").asString());
    }
}
