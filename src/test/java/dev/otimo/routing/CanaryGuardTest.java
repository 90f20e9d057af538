package dev.otimo.routing;

import dev.otimo.runtime.DataType;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A canary that breaches its guard loses its traffic to the primary, and the roll-back is recorded. */
class CanaryGuardTest extends RoutedServerTest {

    @Test
    void canaryFailingAtRunTimeIsRolledBack() {
        String model = unique("guard-errors");
        serve(model, TestModels.echo(DataType.FP32));
        serve(model, failsAtRunTime());
        route(model, "{\"variants\": [{\"version\": 1, \"weight\": 50}, {\"version\": 2, \"weight\": 50}], "
                + "\"guard\": {\"maxErrorRate\": 0.2, \"windowSeconds\": 60}}");
        sendUntilRolledBack(model, ROW);
        assertRollbackRecorded(model, "error rate");
        for (int i = 0; i < 20; i++) {
            assertThat(servedVersion(model, ROW)).isEqualTo(1);
        }
    }

    @Test
    void slowCanaryIsRolledBack() {
        String model = unique("guard-slow");
        serve(model, TestModels.slow(0));
        serve(model, TestModels.slow(3));
        route(model, "{\"variants\": [{\"version\": 1, \"weight\": 50}, {\"version\": 2, \"weight\": 50}], "
                + "\"guard\": {\"maxP99Millis\": 20, \"windowSeconds\": 120}}");
        sendUntilRolledBack(model, CELL);
        assertRollbackRecorded(model, "p99 above 20 ms");
        for (int i = 0; i < 20; i++) {
            assertThat(servedVersion(model, CELL)).isEqualTo(1);
        }
    }

    @Test
    void primaryIsNeverRolledBack() {
        String model = unique("guard-primary");
        serve(model, failsAtRunTime());
        serve(model, TestModels.echo(DataType.FP32));
        route(model, "{\"variants\": [{\"version\": 1, \"weight\": 60}, {\"version\": 2, \"weight\": 40}], "
                + "\"guard\": {\"maxErrorRate\": 0.2, \"windowSeconds\": 60}}");
        for (int i = 0; i < 100; i++) {
            infer(model, ROW).expectBody().returnResult();
        }
        JsonNode view = routing(model);
        assertThat(weight(model, 1)).isEqualTo(60);
        assertThat(view.get("events").get(0).get("kind").asString()).isEqualTo("routing.update");
    }

    /** Sends requests (whatever their answers) until version 2's weight is 0. */
    private void sendUntilRolledBack(String model, String body) {
        for (int i = 0; i < 300 && weight(model, 2) > 0; i++) {
            for (int k = 0; k < 10; k++) {
                infer(model, body).expectBody().returnResult();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> weight(model, 2) == 0);
        assertThat(weight(model, 1)).isEqualTo(100);
    }

    private void assertRollbackRecorded(String model, String why) {
        JsonNode trip = await().atMost(Duration.ofSeconds(10)).until(() -> routing(model).get("events").get(0),
                e -> e.get("kind").asString().equals("guard.trip"));
        assertThat(trip.get("version").asInt()).isEqualTo(2);
        assertThat(trip.get("detail").asString()).contains(why);
        assertThat(routing(model).get("updatedBy").asString()).isEqualTo("system");

        JsonNode audit = admin.get().uri("/api/v1/audit?model={m}", model).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        JsonNode entry = audit.get(0);
        assertThat(entry.get("action").asString()).isEqualTo("guard.trip");
        assertThat(entry.get("actor").asString()).isEqualTo("system");
        assertThat(entry.get("version").asInt()).isEqualTo(2);

        assertThat(sample(prometheus(), "otimo_guard_trips_total", "model=\"" + model + "\"", "version=\"2\"")).isEqualTo(1.0);
    }
}
