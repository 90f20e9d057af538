package dev.otimo;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded default as a newcomer starts it: H2 file database and local artifacts under the
 * data directory, the Iris demo trained, registered and deployed, the README's request answered.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EmbeddedDefaultTest {

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) throws Exception {
        String dir = Files.createTempDirectory("otimo-embedded-").toString();
        registry.add("otimo.data-dir", () -> dir);
    }

    @Value("${local.server.port}")
    int port;

    @Value("${otimo.data-dir}")
    String dataDir;

    @org.springframework.beans.factory.annotation.Autowired
    JdbcTemplate jdbc;

    @org.springframework.beans.factory.annotation.Autowired
    dev.otimo.registry.ArtifactStore artifacts;

    @org.springframework.beans.factory.annotation.Autowired
    dev.otimo.cluster.ReplicaSync replicas;

    @Test
    void demoModelIsDeployedOnH2AndAnswersTheReadmeRequest() {
        assertThat(jdbc.queryForObject("select count(*) from flyway_schema_history where success", Integer.class)).isPositive();
        assertThat(jdbc.getDataSource()).isNotNull();
        WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(30))
                .codecs(dev.otimo.support.ServerTest::testCodecs).build();
        http.get().uri("/v2/health/ready").exchange().expectStatus().isOk();
        JsonNode r = http.post().uri("/v2/models/iris/infer").contentType(MediaType.APPLICATION_JSON).bodyValue("""
                {"inputs": [{"name": "features", "shape": [3, 4], "datatype": "FP32",
                  "data": [[5.1, 3.5, 1.4, 0.2], [5.9, 3.0, 4.2, 1.5], [6.9, 3.1, 5.4, 2.1]]}]}""")
                .exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        JsonNode label = r.get("outputs").get(1);
        assertThat(label.get("name").asString()).isEqualTo("label");
        assertThat(label.get("data").toString()).isEqualTo("[0,1,2]");
        JsonNode probabilities = r.get("outputs").get(0).get("data");
        assertThat(probabilities.get(0).floatValue()).isGreaterThan(0.9f);
        assertThat(Files.exists(java.nio.file.Path.of(dataDir, "otimo.mv.db"))).isTrue();
        assertThat(Files.isDirectory(java.nio.file.Path.of(dataDir, "artifacts"))).isTrue();
    }

    @Test
    void h2KeepsArtifactsOnDiskAndListensForNothing() {
        assertThat(artifacts).isInstanceOf(dev.otimo.registry.LocalArtifactStore.class);
        assertThat(replicas.isListening()).isFalse();
    }
}
