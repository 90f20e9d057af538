package dev.otimo.routing;

import dev.otimo.runtime.DataType;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A shadow version gets copies of live traffic; clients never see it. */
class ShadowTrafficTest extends RoutedServerTest {

    private static List<String> requests() {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            bodies.add(String.format(Locale.ROOT, "{\"id\":\"r%d\",\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\","
                    + "\"data\":[%d,-1.5,%d.25]}]}", i, i, -i));
        }
        return bodies;
    }

    private List<String> answers(String model) {
        return requests().stream().map(body -> new String(infer(model, body).expectStatus().isOk()
                .expectHeader().valueEquals("X-Otimo-Model-Version", "1")
                .expectBody().returnResult().getResponseBody())).toList();
    }

    @Test
    void primaryAnswersAreTheSameWithAndWithoutAShadow() {
        String model = unique("shadow");
        serve(model, TestModels.echo(DataType.FP32));
        // the shadow computes relu(x) * 3: its answers differ, which only the divergence metric may show
        serve(model, TestModels.dynamicWidth());
        route(model, "{\"variants\": [{\"version\": 1, \"weight\": 100}]}");
        List<String> alone = answers(model);

        route(model, "{\"variants\": [{\"version\": 1, \"weight\": 100}], \"shadow\": {\"version\": 2, \"percent\": 100}}");
        List<String> shadowed = answers(model);
        assertThat(shadowed).isEqualTo(alone);

        String modelLabel = "model=\"" + model + "\"";
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String scrape = prometheus();
            assertThat(sample(scrape, "otimo_shadow_requests_total", modelLabel, "version=\"2\"", "outcome=\"success\""))
                    .isEqualTo(30.0);
            assertThat(sample(scrape, "otimo_shadow_latency_seconds_count", modelLabel)).isEqualTo(30.0);
            assertThat(sample(scrape, "otimo_shadow_divergence_count", modelLabel, "measure=\"max_abs_diff\"")).isEqualTo(30.0);
            assertThat(sample(scrape, "otimo_shadow_divergence_max", modelLabel, "measure=\"max_abs_diff\"")).isPositive();
        });
        // the shadow served nobody: every routed request counted against version 1
        String scrape = prometheus();
        assertThat(sample(scrape, "otimo_requests_total", modelLabel, "version=\"2\"")).isZero();
    }

    @Test
    void shadowShareFollowsItsPercent() {
        String model = unique("shadow-share");
        serve(model, TestModels.echo(DataType.FP32));
        serve(model, TestModels.echo(DataType.FP32));
        route(model, "{\"variants\": [{\"version\": 1, \"weight\": 100}], \"shadow\": {\"version\": 2, \"percent\": 25}}");
        for (int i = 0; i < 400; i++) {
            assertThat(servedVersion(model, ROW)).isEqualTo(1);
        }
        String modelLabel = "model=\"" + model + "\"";
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            double mirrored = sample(prometheus(), "otimo_shadow_requests_total", modelLabel);
            // 25% of 400 is 100; six standard deviations either way
            assertThat(mirrored).isBetween(100.0 - 52, 100.0 + 52);
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                sample(prometheus(), "otimo_shadow_divergence_max", modelLabel, "measure=\"max_abs_diff\"")).isZero());
    }
}
