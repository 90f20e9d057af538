package dev.otimo.routing;

import dev.otimo.runtime.DataType;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deployments behind a circuit breaker and a time limit, clients behind a rate limit. The slow
 * models here are deployed under the names the test server gives a {@value #TIME_LIMIT} time limit.
 */
class ResilienceTest extends RoutedServerTest {

    /** Long enough to outlast the time limit several times over on any machine. */
    private static final int SLOW_ROUNDS = 40;

    private EntityExchangeResult<byte[]> direct(String model, int version) {
        return http.post().uri("/v2/models/{m}/versions/{v}/infer", model, version).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(CELL).exchange().expectBody().returnResult();
    }

    @Test
    void breakerOpensAfterRepeatedTimeoutsAndAnswers503WithRetryAfter() {
        String model = TIME_LIMITED_MODELS.get(0);
        int v = serve(model, TestModels.slow(SLOW_ROUNDS));
        EntityExchangeResult<byte[]> first = direct(model, v);
        assertThat(first.getStatus().value()).isEqualTo(503);
        assertThat(new String(first.getResponseBody())).contains("did not answer within its time limit of 300 ms");
        EntityExchangeResult<byte[]> r = first;
        for (int i = 0; i < 30 && !new String(r.getResponseBody()).contains("circuit breaker"); i++) {
            r = direct(model, v);
            assertThat(r.getStatus().value()).isEqualTo(503);
        }
        assertThat(r.getStatus().value()).isEqualTo(503);
        assertThat(r.getResponseHeaders().getFirst("Retry-After")).isEqualTo("10");
        JsonNode error = JSON.readTree(r.getResponseBody());
        assertThat(error.get("error").asString()).contains("version " + v, "circuit breaker is open");
        // unversioned requests reach the same deployment: no other variant to fall back to
        infer(model, CELL).expectStatus().isEqualTo(503).expectHeader().exists("Retry-After")
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("circuit breaker is open"));
    }

    @Test
    void openBreakerFallsBackToThePrimaryVariant() {
        String model = TIME_LIMITED_MODELS.get(1);
        serve(model, TestModels.slow(0));
        serve(model, TestModels.slow(SLOW_ROUNDS));
        route(model, "{\"variants\": [{\"version\": 1, \"weight\": 50}, {\"version\": 2, \"weight\": 50}]}");
        int timeouts = 0;
        for (int i = 0; i < 200 && timeouts < 10; i++) {
            EntityExchangeResult<byte[]> r = infer(model, CELL).expectBody().returnResult();
            if (r.getStatus().value() == 503) {
                assertThat(new String(r.getResponseBody())).contains("version 2 did not answer within its time limit");
                timeouts++;
            } else {
                assertThat(r.getStatus().value()).isEqualTo(200);
                assertThat(r.getResponseHeaders().getFirst("X-Otimo-Model-Version")).isEqualTo("1");
            }
        }
        assertThat(timeouts).as("requests that reached version 2 and timed out").isEqualTo(10);
        // version 2's breaker is open: its share of traffic is served by version 1
        for (int i = 0; i < 30; i++) {
            assertThat(servedVersion(model, CELL)).isEqualTo(1);
        }
        http.post().uri("/v2/models/{m}/versions/2/infer", model).contentType(MediaType.APPLICATION_JSON).bodyValue(CELL)
                .exchange().expectStatus().isEqualTo(503).expectHeader().exists("Retry-After");
    }

    @Test
    void requestsTheModelRefusesDoNotOpenTheBreaker() {
        String model = unique("refusing");
        int v = serve(model, failsAtRunTime());
        for (int i = 0; i < 30; i++) {
            http.post().uri("/v2/models/{m}/versions/{v}/infer", model, v).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(ROW).exchange().expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("could not run on these inputs"));
        }
    }

    @Test
    void clientOverItsRateLimitGets429WithRetryAfter() {
        String model = unique("limited");
        serve(model, TestModels.echo(DataType.FP32));
        storeApiKey(METERED_CLIENT);
        int limited = 0;
        long started = System.nanoTime();
        for (int i = 0; i < 12; i++) {
            EntityExchangeResult<byte[]> r = http.post().uri("/v2/models/{m}/infer", model).contentType(MediaType.APPLICATION_JSON)
                    .header("X-Api-Key", METERED_CLIENT).bodyValue(ROW).exchange().expectBody().returnResult();
            if (r.getStatus().value() == 429) {
                limited++;
                assertThat(r.getResponseHeaders().getFirst("Retry-After")).isEqualTo("1");
                assertThat(new String(r.getResponseBody())).contains("rate limit");
            } else {
                assertThat(r.getStatus().value()).isEqualTo(200);
            }
        }
        long periods = (System.nanoTime() - started) / 1_000_000_000L + 2;
        assertThat(12 - limited).as("requests let through at 3 per second").isLessThanOrEqualTo((int) (3 * periods));
        assertThat(limited).isPositive();
        // other clients keep their own allowance
        for (int i = 0; i < 12; i++) {
            servedVersion(model, ROW);
        }
    }
}
