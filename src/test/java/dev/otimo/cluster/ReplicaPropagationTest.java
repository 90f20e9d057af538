package dev.otimo.cluster;

import dev.otimo.OtimoApplication;
import dev.otimo.runtime.DataType;
import dev.otimo.security.ApiKeyVerifier;
import dev.otimo.support.OwnNettyResources;
import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas on one PostgreSQL database behave as one. A is the test server; B is a second
 * application on another port, on the same database, with an empty data directory of its own and
 * no periodic reconcile, so that only notifications can bring A's changes to B in time.
 */
class ReplicaPropagationTest extends ServerTest {

    private static final Duration PROPAGATION_LIMIT = Duration.ofSeconds(2);
    private static final String SUM_REQUEST = """
            {"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
                        {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [10, 20, 30, 40]}]}""";

    private static ConfigurableApplicationContext replicaB;
    private static Path dataDirB;
    private static WebTestClient b;

    @Autowired
    ReplicaSync replicaA;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeAll
    static void startReplicaB() throws IOException {
        dataDirB = Files.createTempDirectory("otimo-replica-b-");
        List<String> args = new ArrayList<>();
        serverProperties(dataDirB).forEach((name, value) -> args.add("--" + name + "=" + value));
        args.add("--server.port=0");
        replicaB = new SpringApplicationBuilder(OtimoApplication.class)
                .initializers(new OwnNettyResources())
                .run(args.toArray(String[]::new));
        int port = ((WebServerApplicationContext) replicaB).getWebServer().getPort();
        b = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(30))
                .codecs(dev.otimo.support.ServerTest::testCodecs).build();
        // B loads every deployment already in the database before it reports ready
        await(() -> status(b, "/v2/health/ready") == 200, Duration.ofSeconds(120));
    }

    @AfterAll
    static void stopReplicaB() {
        if (replicaB != null) {
            replicaB.close();
        }
    }

    @Test
    void deploymentThroughOneReplicaIsServedByTheOtherWithinTwoSeconds() throws IOException {
        String model = unique("replica");
        byte[] onnx = TestModels.sumAndScale();
        int v = upload(model, onnx);
        long sent = System.nanoTime();
        deploy(model, v, null);
        await(() -> status(b, "/v2/models/" + model + "/versions/" + v + "/ready") == 200);
        Duration took = Duration.ofNanos(System.nanoTime() - sent);
        System.out.printf("replica B served %s v%d %d ms after the deploy request was sent to replica A%n",
                model, v, took.toMillis());
        assertThat(took).isLessThan(PROPAGATION_LIMIT);

        JsonNode r = b.post().uri("/v2/models/{m}/infer", model).contentType(MediaType.APPLICATION_JSON).bodyValue(SUM_REQUEST)
                .exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(r.get("outputs").get(0).get("data").toString()).isEqualTo("[11.0,22.0,33.0,44.0]");

        // B had never seen the file: it came out of the database into B's own cache
        String sha = admin.get().uri("/api/v1/models/{m}/versions/{v}", model, v).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("sha256").asString();
        Path fetched = dataDirB.resolve("artifact-cache").resolve(sha.substring(0, 2)).resolve(sha + ".onnx");
        assertThat(fetched).exists();
        assertThat(Files.readAllBytes(fetched)).isEqualTo(onnx);
    }

    @Test
    void newVersionsUndeploymentsAndDeletionsFollowOnTheOtherReplica() {
        String model = unique("follow");
        int v1 = serve(model, TestModels.sumAndScale());
        assertThat(await(() -> status(b, "/v2/models/" + model + "/versions/" + v1 + "/ready") == 200)).isLessThan(PROPAGATION_LIMIT);

        int v2 = serve(model, TestModels.echo(DataType.FP32));
        Duration second = await(() -> status(b, "/v2/models/" + model + "/versions/" + v2 + "/ready") == 200
                && routedVersion(model).equals(Integer.toString(v2)));
        assertThat(second).isLessThan(PROPAGATION_LIMIT);
        b.post().uri("/v2/models/{m}/infer", model).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}")
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.model_version").isEqualTo(Integer.toString(v2));

        admin.delete().uri("/api/v1/models/{m}/versions/{v}/deployment", model, v2).exchange().expectStatus().isNoContent();
        Duration undeployed = await(() -> status(b, "/v2/models/" + model + "/versions/" + v2 + "/ready") == 503
                && routedVersion(model).equals(Integer.toString(v1)));
        assertThat(undeployed).isLessThan(PROPAGATION_LIMIT);

        admin.delete().uri("/api/v1/models/{m}/versions/{v}/deployment", model, v1).exchange().expectStatus().isNoContent();
        assertThat(await(() -> status(b, "/v2/models/" + model + "/ready") == 503)).isLessThan(PROPAGATION_LIMIT);

        admin.delete().uri("/api/v1/models/{m}", model).exchange().expectStatus().isNoContent();
        assertThat(await(() -> status(b, "/v2/models/" + model) == 404)).isLessThan(PROPAGATION_LIMIT);
    }

    @Test
    void apiKeyCreatedThroughOneReplicaIsKnownToTheOther() {
        JsonNode created = admin.post().uri("/api/v1/api-keys").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", unique("replica-key"))).exchange().expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        String key = created.get("key").asString();
        ApiKeyVerifier onB = replicaB.getBean(ApiKeyVerifier.class);
        assertThat(await(() -> onB.accepts(key))).isLessThan(PROPAGATION_LIMIT);

        admin.delete().uri("/api/v1/api-keys/{id}", created.get("id").asLong()).exchange().expectStatus().isNoContent();
        assertThat(await(() -> !onB.accepts(key))).isLessThan(PROPAGATION_LIMIT);
    }

    @Test
    void changesAreAnnouncedOnceAndNotEchoedBack() throws Exception {
        String model = unique("echo");
        int v = upload(model, TestModels.sumAndScale());
        List<ChangeNotice> notices = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, "")) {
            try (Statement s = c.createStatement()) {
                s.execute("LISTEN " + ChangeNotice.REGISTRY);
            }
            deploy(model, v, null);
            await(() -> status(b, "/v2/models/" + model + "/versions/" + v + "/ready") == 200);
            // B has applied the change; give an echo, if B sent one, time to arrive
            long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            while (System.nanoTime() < until) {
                PGNotification[] received = c.unwrap(PGConnection.class).getNotifications(100);
                for (PGNotification n : received == null ? new PGNotification[0] : received) {
                    ChangeNotice notice = ChangeNotice.parse(n.getName(), n.getParameter());
                    if (notice != null && model.equals(notice.subject())) {
                        notices.add(notice);
                    }
                }
            }
        }
        assertThat(notices).hasSize(1);
        assertThat(notices.get(0).origin()).isEqualTo(replicaA.replica());
    }

    @Test
    void replicaListensAgainAfterLosingItsConnection() {
        ReplicaSync syncB = replicaB.getBean(ReplicaSync.class);
        String listener = "otimo-listener-" + syncB.replica();
        List<Integer> before = listenerPids(listener);
        assertThat(before).hasSize(1);
        jdbc.queryForList("select pg_terminate_backend(pid) from pg_stat_activity where application_name = ?", listener);
        Duration back = await(() -> {
            List<Integer> now = listenerPids(listener);
            return now.size() == 1 && !now.equals(before) && syncB.isListening();
        }, Duration.ofSeconds(10));
        System.out.printf("replica B listened again %d ms after its connection was killed%n", back.toMillis());

        String model = unique("reconnect");
        int v = serve(model, TestModels.sumAndScale());
        assertThat(await(() -> status(b, "/v2/models/" + model + "/versions/" + v + "/ready") == 200)).isLessThan(PROPAGATION_LIMIT);
    }

    private List<Integer> listenerPids(String applicationName) {
        return jdbc.queryForList("select pid from pg_stat_activity where application_name = ?", Integer.class, applicationName);
    }

    private static String routedVersion(String model) {
        JsonNode ready = b.get().uri("/v2/models/{m}/ready", model).exchange().expectBody(JsonNode.class)
                .returnResult().getResponseBody();
        return ready == null || ready.get("version") == null ? "" : ready.get("version").asString();
    }

    private static int status(WebTestClient client, String path) {
        return client.get().uri(path).exchange().expectBody().returnResult().getStatus().value();
    }

    private static Duration await(BooleanSupplier condition) {
        return await(condition, PROPAGATION_LIMIT.multipliedBy(3));
    }

    /** Polls every 10 ms; returns how long the condition took to hold, or fails after {@code limit}. */
    private static Duration await(BooleanSupplier condition, Duration limit) {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > limit.toNanos()) {
                throw new AssertionError("condition did not hold within " + limit.toMillis() + " ms");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
