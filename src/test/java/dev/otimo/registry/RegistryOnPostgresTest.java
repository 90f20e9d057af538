package dev.otimo.registry;

import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The registry on a real PostgreSQL: migrations, version numbering under concurrency, failed uploads. */
class RegistryOnPostgresTest extends ServerTest {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void flywayMigrationsAppliedOnPostgres() {
        assertThat(jdbc.queryForObject("select version()", String.class)).startsWith("PostgreSQL");
        List<Map<String, Object>> history = jdbc.queryForList("select version, success from " + SCHEMA + ".flyway_schema_history where version is not null");
        assertThat(history).isNotEmpty().allSatisfy(row -> assertThat(row.get("success")).isEqualTo(true));
        assertThat(history).extracting(r -> r.get("version")).contains("1");
        assertThat(jdbc.queryForObject("select count(*) from information_schema.tables where table_schema = ? and table_name in ('model', 'model_version', 'deployment')",
                Integer.class, SCHEMA)).isEqualTo(3);
    }

    @Test
    void concurrentUploadsGetUniqueVersionNumbers() {
        String model = unique("concurrent");
        admin.post().uri("/api/v1/models").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", model)).exchange().expectStatus().isCreated();
        byte[] onnx = TestModels.sumAndScale();
        List<Integer> numbers = Flux.range(0, 8).parallel(8).runOn(Schedulers.boundedElastic())
                .map(i -> admin.post().uri("/api/v1/models/{m}/versions", model)
                        .body(BodyInserters.fromMultipartData(multipart(onnx))).exchange()
                        .expectStatus().isCreated().expectBody(JsonNode.class).returnResult().getResponseBody()
                        .get("version").asInt())
                .sequential().collectList().block(Duration.ofSeconds(120));
        assertThat(numbers).hasSize(8).doesNotHaveDuplicates().containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(jdbc.queryForObject("select count(distinct number) from model_version v join model m on m.id = v.model_id where m.name = ?",
                Integer.class, model)).isEqualTo(8);
    }

    @Test
    void failedUploadLeavesNoReadyVersion() {
        String model = unique("garbage");
        admin.post().uri("/api/v1/models").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", model)).exchange().expectStatus().isCreated();
        admin.post().uri("/api/v1/models/{m}/versions", model)
                .body(BodyInserters.fromMultipartData(multipart("definitely not an onnx model".getBytes()))).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("not an ONNX model"));
        JsonNode view = admin.get().uri("/api/v1/models/{m}", model).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(view.get("versions")).allSatisfy(v -> assertThat(v.get("status").asString()).isEqualTo("FAILED"));
        assertThat(jdbc.queryForObject("select count(*) from model_version v join model m on m.id = v.model_id where m.name = ? and v.status = 'READY'",
                Integer.class, model)).isZero();
        http.get().uri("/v2/models/{m}", model).exchange().expectStatus().isEqualTo(503);
    }
}
