package dev.otimo.security;

import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The API key admin endpoints, with keys optional (the default): inference stays open. */
@ExtendWith(OutputCaptureExtension.class)
class ApiKeyAdminTest extends ServerTest {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void createdKeyIsShownOnceAndNeverListed(CapturedOutput output) {
        String name = unique("client");
        JsonNode created = create(name);
        String key = created.get("key").asString();
        assertThat(created.get("id").asLong()).isPositive();
        assertThat(created.get("name").asString()).isEqualTo(name);
        assertThat(created.get("createdAt").asString()).isNotBlank();
        assertThat(key).startsWith("otimo_").hasSizeGreaterThanOrEqualTo(40);

        String list = new String(admin.get().uri("/api/v1/api-keys").exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBodyContent());
        JsonNode listed = parse(list.getBytes());
        assertThat(listed.findValues("name").stream().map(JsonNode::asString)).contains(name);
        assertThat(listed).allSatisfy(k -> assertThat(k.has("key")).isFalse());
        assertThat(list).doesNotContain(key);
        assertThat(output.getAll()).doesNotContain(key).contains(name);
    }

    @Test
    void storesOnlyTheHashOfTheKey() {
        JsonNode created = create(unique("hashed"));
        String key = created.get("key").asString();
        String stored = jdbc.queryForObject("select key_hash from api_key where id = ?", String.class, created.get("id").asLong());
        assertThat(stored).isEqualTo(ApiKey.hashHex(key)).hasSize(64).doesNotContain(key);
    }

    @Test
    void deletedKeyDisappearsFromTheList() {
        String name = unique("gone");
        long id = create(name).get("id").asLong();
        admin.delete().uri("/api/v1/api-keys/{id}", id).exchange().expectStatus().isNoContent();
        admin.get().uri("/api/v1/api-keys").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$[?(@.name == '" + name + "')]").doesNotExist();
        admin.delete().uri("/api/v1/api-keys/{id}", id).exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.error").isNotEmpty();
    }

    @Test
    void duplicateNameIs409() {
        String name = unique("twice");
        create(name);
        admin.post().uri("/api/v1/api-keys").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", name))
                .exchange().expectStatus().isEqualTo(409).expectBody().jsonPath("$.error").isNotEmpty();
    }

    @Test
    void missingNameIs400() {
        admin.post().uri("/api/v1/api-keys").contentType(MediaType.APPLICATION_JSON).bodyValue("{}")
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("name"));
        admin.post().uri("/api/v1/api-keys").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "x".repeat(129)))
                .exchange().expectStatus().isBadRequest();
    }

    @Test
    void inferenceNeedsNoKeyByDefault() {
        String model = unique("open");
        serve(model, TestModels.sumAndScale());
        inferOk(model, """
                {"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
                            {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [1, 1, 1, 1]}]}""");
        http.post().uri("/v2/models/{m}/infer", model).contentType(MediaType.APPLICATION_JSON)
                .header(ApiKeyVerifier.HEADER, "not-a-key").bodyValue("""
                {"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
                            {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [1, 1, 1, 1]}]}""")
                .exchange().expectStatus().isOk();
    }

    private JsonNode create(String name) {
        return admin.post().uri("/api/v1/api-keys").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", name))
                .exchange().expectStatus().isCreated().expectBody(JsonNode.class).returnResult().getResponseBody();
    }
}
