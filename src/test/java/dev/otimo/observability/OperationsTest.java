package dev.otimo.observability;

import dev.otimo.helm.HelmChart;
import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a cluster sees of a running Otimo: the chart's probe paths, readiness, and the Prometheus series. */
class OperationsTest extends ServerTest {

    @Test
    void probePathsRenderedByTheHelmChartAnswer200() throws Exception {
        HelmChart.ProbePaths paths = HelmChart.renderedProbePaths();
        http.get().uri(paths.liveness()).exchange().expectStatus().isOk();
        http.get().uri(paths.readiness()).exchange().expectStatus().isOk();
    }

    @Test
    void readinessGroupIncludesTheDeployments() {
        String model = unique("ready");
        serve(model, TestModels.sumAndScale());
        admin.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.deployments.status").isEqualTo("UP")
                .jsonPath("$.components.deployments.details['" + model + "/1']").isEqualTo("cpu");
    }

    @Test
    void redeployingUnderTrafficLosesNoRequest() {
        String model = unique("swap");
        int v = upload(model, TestModels.sumAndScale());
        deploy(model, v, null);
        org.springframework.web.reactive.function.client.WebClient client = org.springframework.web.reactive.function.client.WebClient
                .create("http://127.0.0.1:" + port);
        String body = """
                {"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
                            {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [1, 1, 1, 1]}]}""";
        java.util.concurrent.CompletableFuture<java.util.List<Integer>> traffic = reactor.core.publisher.Flux.range(0, 400)
                .flatMap(i -> client.post().uri("/v2/models/{m}/infer", model).header("Content-Type", "application/json")
                        .bodyValue(body).exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value())), 8)
                .collectList().toFuture();
        for (int i = 0; i < 3 && !traffic.isDone(); i++) {
            deploy(model, v, "{\"batching\": {\"maxBatchSize\": " + (8 << i) + "}}");
        }
        assertThat(traffic.join()).hasSize(400).containsOnly(200);
    }

    @Test
    void prometheusHoldsPerModelSeriesAfterInferences() {
        String model = unique("prom");
        serve(model, TestModels.sumAndScale());
        for (int i = 0; i < 5; i++) {
            inferOk(model, """
                    {"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
                                {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}""");
        }
        infer(model, "{\"inputs\": []}").expectStatus().isBadRequest();
        String text = http.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        String tags = "model=\"" + model + "\"";
        assertThat(text).containsPattern("otimo_requests_total\\{[^}]*" + tags + "[^}]*outcome=\"success\"[^}]*} 5\\.0");
        assertThat(text).containsPattern("otimo_requests_total\\{[^}]*" + tags + "[^}]*outcome=\"client_error\"[^}]*} 1\\.0");
        assertThat(text).containsPattern("otimo_request_seconds_bucket\\{[^}]*" + tags);
        assertThat(text).containsPattern("otimo_queue_wait_seconds_bucket\\{[^}]*" + tags);
        assertThat(text).containsPattern("otimo_compute_seconds_bucket\\{[^}]*" + tags);
        assertThat(text).containsPattern("otimo_batch_size_bucket\\{[^}]*" + tags);
        assertThat(text).containsPattern("otimo_queue_depth\\{[^}]*" + tags);
        assertThat(text).contains("otimo_sessions_live");
        assertThat(text).doesNotContain("req-");
    }
}
