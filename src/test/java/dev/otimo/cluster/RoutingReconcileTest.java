package dev.otimo.cluster;

import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The periodic reconcile refreshes what a notification would, routing included: a routing change
 * that reaches the database with no notification (written by hand here) is followed after the next
 * reconcile, and not before.
 */
class RoutingReconcileTest extends ServerTest {

    private static final String SUM = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]},"
            + "{\"name\":\"b\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[10,20,30,40]}]}";

    @Autowired
    ReplicaSync replicaSync;

    @Test
    void routingWrittenBehindTheServersBackIsFollowedAfterTheNextReconcile() throws InterruptedException {
        String model = unique("routing-behind");
        serve(model, TestModels.sumAndScale());
        serve(model, TestModels.sumAndScale());
        admin.put().uri("/api/v1/models/{m}/routing", model).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"variants\": [{\"version\": 1, \"weight\": 100}, {\"version\": 2, \"weight\": 0}]}")
                .exchange().expectStatus().isOk();
        assertThat(served(model)).isEqualTo(1);

        jdbc().update("update routing_variant set weight = case when version = 2 then 100 else 0 end where policy_id ="
                + " (select p.id from routing_policy p join model m on m.id = p.model_id where m.name = ?)", model);
        jdbc().update("update routing_policy set updated_at = ?, updated_by = 'by hand' where model_id = (select id from model where name = ?)",
                OffsetDateTime.now(ZoneOffset.UTC), model);
        Thread.sleep(500);
        assertThat(served(model)).as("nothing announced the change").isEqualTo(1);

        PeriodicReconcile periodic = new PeriodicReconcile(replicaSync::resync, Duration.ofMillis(200));
        periodic.start();
        try {
            long start = System.nanoTime();
            while (served(model) != 2 && System.nanoTime() - start < Duration.ofSeconds(5).toNanos()) {
                Thread.sleep(20);
            }
        } finally {
            periodic.stop();
        }
        for (int i = 0; i < 10; i++) {
            assertThat(served(model)).isEqualTo(2);
        }
    }

    private int served(String model) {
        JsonNode r = http.post().uri("/v2/models/{m}/infer", model).contentType(MediaType.APPLICATION_JSON).bodyValue(SUM)
                .exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        return Integer.parseInt(r.get("model_version").asString());
    }
}
