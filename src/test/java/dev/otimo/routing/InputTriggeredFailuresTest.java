package dev.otimo.routing;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.otimo.onnx.GraphBuilder;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Requests whose values make ONNX Runtime fail (an index out of range) are the client's doing: they
 * get 400, count as client errors in the metrics, and neither open a breaker nor trip a canary
 * guard, while a canary failing requests its primary serves is still rolled back (CanaryGuardTest).
 */
class InputTriggeredFailuresTest extends RoutedServerTest {

    private static final String IN_RANGE = "{\"inputs\":[{\"name\":\"i\",\"shape\":[1,1],\"datatype\":\"INT64\",\"data\":[2]}]}";
    private static final String OUT_OF_RANGE = "{\"inputs\":[{\"name\":\"i\",\"shape\":[1,1],\"datatype\":\"INT64\",\"data\":[99]}]}";

    /** y = table[i] over a table of four values: any index outside 0..3 fails at run time. */
    static byte[] lookup() {
        return GraphBuilder.named("lookup")
                .input("i", TensorProto.DataType.INT64, -1, 1)
                .output("y", TensorProto.DataType.FLOAT, -1, 1)
                .initializer("table", new float[] {10, 20, 30, 40}, 4)
                .node("Gather", List.of("table", "i"), List.of("y"))
                .toBytes();
    }

    @Test
    void outOfRangeIndicesNeverTripTheCanaryGuardOrTheBreaker() {
        String model = unique("lookup");
        serve(model, lookup());
        serve(model, lookup());
        route(model, "{\"variants\": [{\"version\": 1, \"weight\": 50}, {\"version\": 2, \"weight\": 50}], "
                + "\"guard\": {\"maxErrorRate\": 0.2, \"windowSeconds\": 60}}");
        for (int i = 0; i < 300; i++) {
            infer(model, OUT_OF_RANGE).expectStatus().isBadRequest().expectBody()
                    .jsonPath("$.error").value(e -> assertThat((String) e).contains("could not run on these inputs"));
        }
        // the primary is tried on each of the canary's failures, after the answer: give those checks time
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).until(() -> true);
        assertThat(weight(model, 2)).isEqualTo(50);
        for (JsonNode event : routing(model).get("events")) {
            assertThat(event.get("kind").asString()).isNotEqualTo("guard.trip");
        }
        // both breakers are closed: every version still answers
        for (int i = 0; i < 20; i++) {
            assertThat(inferOk(model, IN_RANGE).get("outputs").get(0).get("data").get(0).asDouble()).isEqualTo(30.0);
        }
        String scrape = prometheus();
        assertThat(sample(scrape, "otimo_requests_total", "model=\"" + model + "\"", "outcome=\"client_error\"")).isEqualTo(300.0);
        assertThat(sample(scrape, "otimo_requests_total", "model=\"" + model + "\"", "outcome=\"server_error\"")).isZero();
    }

    @Test
    void outOfRangeIndicesOnOneVersionNeverOpenItsBreaker() {
        String model = unique("lookup-direct");
        int version = serve(model, lookup());
        // far more than the breaker's window: were they failures, it would be open
        for (int i = 0; i < 200; i++) {
            http.post().uri("/v2/models/{m}/versions/{v}/infer", model, version)
                    .contentType(org.springframework.http.MediaType.APPLICATION_JSON).bodyValue(OUT_OF_RANGE)
                    .exchange().expectStatus().isBadRequest();
        }
        assertThat(inferOk(model, IN_RANGE).get("outputs").get(0).get("data").get(0).asDouble()).isEqualTo(30.0);
    }
}
