package dev.otimo.routing;

import dev.otimo.OtimoApplication;
import dev.otimo.support.OwnNettyResources;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas on one database each send a slow canary fewer calls than the guard needs to judge;
 * together they send enough. The guard judges the sum of both replicas' calls (shared through the
 * database), rolls the canary back, and neither replica routes to it any more.
 */
class SharedCanaryGuardTest extends RoutedServerTest {

    static ConfigurableApplicationContext replicaB;
    static WebTestClient b;

    @BeforeAll
    static void startReplicaB() throws IOException {
        List<String> args = new ArrayList<>();
        serverProperties(Files.createTempDirectory("otimo-guard-b-")).forEach((name, value) -> args.add("--" + name + "=" + value));
        args.add("--server.port=0");
        replicaB = new SpringApplicationBuilder(OtimoApplication.class).initializers(new OwnNettyResources())
                .run(args.toArray(String[]::new));
        b = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + ((WebServerApplicationContext) replicaB).getWebServer().getPort())
                .responseTimeout(Duration.ofSeconds(30)).codecs(dev.otimo.support.ServerTest::testCodecs).build();
    }

    @AfterAll
    static void stopReplicaB() {
        if (replicaB != null) {
            replicaB.close();
        }
    }

    @Test
    void canaryBreachingOnlyAcrossReplicasIsRolledBackOnBoth() {
        String model = unique("guard-shared");
        serve(model, TestModels.slow(0));
        serve(model, TestModels.slow(3));
        // 20 calls are needed to judge (otimo.resilience.guard-minimum-calls); each replica sends the canary 12
        route(model, "{\"variants\": [{\"version\": 1, \"weight\": 50}, {\"version\": 2, \"weight\": 50}], "
                + "\"guard\": {\"maxP99Millis\": 20, \"windowSeconds\": 300}}");
        // replica B follows the policy once it routes a request to the canary (that call counts too)
        int[] onB = {0};
        await().atMost(Duration.ofSeconds(10)).until(() -> versionServedBy(b, model) == 2);
        onB[0]++;
        int onA = 0;
        while (onA < 12) {
            onA += servedVersion(model, CELL) == 2 ? 1 : 0;
        }
        // 12 calls are fewer than the guard needs, on this replica and across both (shared once a second)
        sleepQuietly(2500);
        assertThat(weight(model, 2)).isEqualTo(50);
        for (int sent = 0; onB[0] < 12 && sent < 200 && weight(model, 2) > 0; sent++) {
            onB[0] += versionServedBy(b, model) == 2 ? 1 : 0;
        }
        assertThat(onB[0]).as("replica B alone sends the canary fewer calls than the guard needs").isLessThan(20);
        // neither replica alone has seen enough calls; together they have
        await().atMost(Duration.ofSeconds(10)).until(() -> weight(model, 2) == 0);
        JsonNode trip = routing(model).get("events").get(0);
        assertThat(trip.get("kind").asString()).isEqualTo("guard.trip");
        assertThat(trip.get("detail").asString()).contains("p99 above 20 ms").contains("of all replicas");
        await().atMost(Duration.ofSeconds(10)).until(() -> !bRoutes(model).contains(2));
        for (int i = 0; i < 20; i++) {
            assertThat(versionServedBy(b, model)).isEqualTo(1);
            assertThat(servedVersion(model, CELL)).isEqualTo(1);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The versions replica B sends 20 unversioned requests to. */
    private static List<Integer> bRoutes(String model) {
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            seen.add(versionServedBy(b, model));
        }
        return seen;
    }

    private static int versionServedBy(WebTestClient client, String model) {
        JsonNode r = client.post().uri("/v2/models/{m}/infer", model).contentType(MediaType.APPLICATION_JSON).bodyValue(CELL)
                .exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        return Integer.parseInt(r.get("model_version").asString());
    }
}
