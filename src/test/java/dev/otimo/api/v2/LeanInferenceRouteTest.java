package dev.otimo.api.v2;

import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.web.server.WebFilter;
import tools.jackson.databind.JsonNode;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Inference requests take the lean Reactor Netty route: none reaches WebFlux (a filter ahead of all
 * others counts what does), and answers, errors and headers are those of the REST contract.
 */
@Import(LeanInferenceRouteTest.WebFluxCounter.class)
class LeanInferenceRouteTest extends ServerTest {

    private static final AtomicInteger WEBFLUX_INFERENCES = new AtomicInteger();
    private static final AtomicInteger WEBFLUX_OTHERS = new AtomicInteger();
    private static final String SUM = """
            {"id": "r1", "inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
                        {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [1, 1, 1, 1]}]}""";

    @TestConfiguration
    static class WebFluxCounter {

        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        WebFilter countingFilter() {
            return (exchange, chain) -> {
                String path = exchange.getRequest().getPath().value();
                (path.startsWith("/v2/models/") && path.endsWith("/infer") ? WEBFLUX_INFERENCES : WEBFLUX_OTHERS).incrementAndGet();
                return chain.filter(exchange);
            };
        }
    }

    @Test
    void inferenceNeverReachesWebFlux_routedAndVersioned() {
        String model = unique("lean");
        int version = serve(model, TestModels.sumAndScale());
        int before = WEBFLUX_INFERENCES.get();
        int othersBefore = WEBFLUX_OTHERS.get();
        for (int i = 0; i < 5; i++) {
            JsonNode answer = inferOk(model, SUM);
            assertThat(answer.get("id").asString()).isEqualTo("r1");
            http.post().uri("/v2/models/{m}/versions/{v}/infer", model, version).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(SUM).exchange().expectStatus().isOk()
                    .expectHeader().valueEquals(InferenceController.VERSION_HEADER, Integer.toString(version));
        }
        assertThat(WEBFLUX_INFERENCES.get() - before).isZero();
        http.get().uri("/v2/models/{m}", model).exchange().expectStatus().isOk();
        assertThat(WEBFLUX_OTHERS.get()).as("the counter sees what does reach WebFlux").isGreaterThan(othersBefore);
    }

    @Test
    void errorsOnTheLeanRouteAreTheJsonOfTheRestContract_unknownModel_badJson_unknownVersion() {
        http.post().uri("/v2/models/{m}/infer", unique("nobody")).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(SUM).exchange().expectStatus().isNotFound()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("unknown model"));
        String model = unique("lean-err");
        serve(model, TestModels.sumAndScale());
        http.post().uri("/v2/models/{m}/infer", model).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{not json").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").exists();
        http.post().uri("/v2/models/{m}/versions/{v}/infer", model, "x").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(SUM).exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("versions are numbers"));
    }
}
