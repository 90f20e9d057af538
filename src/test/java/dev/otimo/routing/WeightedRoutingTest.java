package dev.otimo.routing;

import dev.otimo.runtime.DataType;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Weighted splits, sticky clients and version-pinned requests under a routing policy. */
class WeightedRoutingTest extends RoutedServerTest {

    private String twoVersions(String prefix) {
        String model = unique(prefix);
        serve(model, TestModels.echo(DataType.FP32));
        serve(model, TestModels.echo(DataType.FP32));
        return model;
    }

    @Test
    void unversionedRequestsFollowTheWeights() {
        String model = twoVersions("split");
        route(model, "{\"variants\": [{\"version\": 1, \"weight\": 80}, {\"version\": 2, \"weight\": 20}]}");
        int[] served = new int[3];
        for (int i = 0; i < 1000; i++) {
            served[servedVersion(model, ROW)]++;
        }
        assertThat(served[1] + served[2]).isEqualTo(1000);
        assertThat(served[1] / 10.0).as("percent served by version 1").isBetween(75.0, 85.0);
        assertThat(served[2] / 10.0).as("percent served by version 2").isBetween(15.0, 25.0);
    }

    @Test
    void sameStickyValueAlwaysReachesTheSameVariant() {
        String model = twoVersions("sticky");
        route(model, "{\"variants\": [{\"version\": 1, \"weight\": 50}, {\"version\": 2, \"weight\": 50}], \"stickyHeader\": \"X-User\"}");
        Map<String, Integer> before = assignments(model);
        assertThat(before.values()).contains(1, 2);

        route(model, "{\"variants\": [{\"version\": 1, \"weight\": 20}, {\"version\": 2, \"weight\": 80}], \"stickyHeader\": \"X-User\"}");
        Map<String, Integer> after = assignments(model);
        long moved = before.keySet().stream().filter(user -> !before.get(user).equals(after.get(user))).count();
        assertThat(moved).as("users moved by the new weights").isPositive();
        // growing version 2 only moves users towards it
        before.forEach((user, version) -> {
            if (version == 2) {
                assertThat(after.get(user)).as(user).isEqualTo(2);
            }
        });
    }

    /** 200 users, each sending 5 requests: the version each user reached, which must not change between requests. */
    private Map<String, Integer> assignments(String model) {
        Map<String, Integer> versions = new HashMap<>();
        for (int round = 0; round < 5; round++) {
            for (int u = 0; u < 200; u++) {
                String user = "user-" + u;
                JsonNode r = http.post().uri("/v2/models/{m}/infer", model).contentType(MediaType.APPLICATION_JSON)
                        .header("X-User", user).bodyValue(ROW).exchange()
                        .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
                int version = Integer.parseInt(r.get("model_version").asString());
                Integer earlier = versions.putIfAbsent(user, version);
                assertThat(earlier == null ? version : earlier).as(user + " switched variant").isEqualTo(version);
            }
        }
        return versions;
    }

    @Test
    void versionedRequestsBypassRouting() {
        String model = twoVersions("pinned");
        route(model, "{\"variants\": [{\"version\": 1, \"weight\": 100}, {\"version\": 2, \"weight\": 0}]}");
        for (int i = 0; i < 20; i++) {
            assertThat(servedVersion(model, ROW)).isEqualTo(1);
        }
        JsonNode pinned = http.post().uri("/v2/models/{m}/versions/2/infer", model).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(ROW).exchange().expectStatus().isOk().expectHeader().valueEquals("X-Otimo-Model-Version", "2")
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(pinned.get("model_version").asString()).isEqualTo("2");
    }

    @Test
    void deletingThePolicySendsTrafficToTheNewestVersionAgain() {
        String model = twoVersions("unrouted");
        route(model, "{\"variants\": [{\"version\": 1, \"weight\": 100}]}");
        assertThat(servedVersion(model, ROW)).isEqualTo(1);
        admin.delete().uri("/api/v1/models/{m}/routing", model).exchange().expectStatus().isNoContent();
        admin.get().uri("/api/v1/models/{m}/routing", model).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.variants.length()").isEqualTo(0);
        for (int i = 0; i < 10; i++) {
            assertThat(servedVersion(model, ROW)).isEqualTo(2);
        }
    }

    @Test
    void variantThatStopsServingHandsItsTrafficToThePrimary() {
        String model = twoVersions("undeployed");
        route(model, "{\"variants\": [{\"version\": 1, \"weight\": 50}, {\"version\": 2, \"weight\": 50}]}");
        admin.delete().uri("/api/v1/models/{m}/versions/2/deployment", model).exchange().expectStatus().isNoContent();
        for (int i = 0; i < 20; i++) {
            assertThat(servedVersion(model, ROW)).isEqualTo(1);
        }
    }
}
