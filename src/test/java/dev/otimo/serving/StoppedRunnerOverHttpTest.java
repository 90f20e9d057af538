package dev.otimo.serving;

import dev.otimo.runtime.DataType;
import dev.otimo.runtime.Tensor;
import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Over HTTP, a deployment whose runner thread stopped answers 503 with the reason on every path
 * (routed, versioned, readiness) instead of 429 for ever. Its own server: it leaves it not ready.
 */
@DirtiesContext
class StoppedRunnerOverHttpTest extends ServerTest {

    @DynamicPropertySource
    static void ownServer(DynamicPropertyRegistry registry) {
        // a setting no other test uses, so that this server is not shared
        registry.add("otimo.reservoir-size", () -> "255");
    }

    @Autowired
    private DeploymentManager deployments;

    private static final String ROW = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}";

    @Test
    void deploymentWhoseRunnerStoppedAnswers503WithTheReasonEverywhere() {
        String model = unique("stopped");
        int version = serve(model, TestModels.echo(DataType.FP32));
        inferOk(model, ROW);
        LiveDeployment d = deployments.model(model).flatMap(m -> m.version(version)).orElseThrow().deployment();
        // ONNX Runtime refuses four values for a [batch, 3] input; answering that failure throws an Error
        d.infer(List.of(Tensor.ofFloats("x", new long[] {1, 4}, 1, 2, 3, 4)), Set.of(), 1, "x:4", 1, 0)
                .subscribe(out -> { }, e -> {
                    throw new OutOfMemoryError("no heap left to answer");
                });
        await().atMost(Duration.ofSeconds(10)).until(() -> !d.isReady());

        infer(model, ROW).expectStatus().isEqualTo(503).expectBody().jsonPath("$.error")
                .value(e -> assertThat((String) e).contains("version " + version + " no longer serves: runner thread stopped"));
        http.post().uri("/v2/models/{m}/versions/{v}/infer", model, version).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(ROW).exchange().expectStatus().isEqualTo(503).expectBody().jsonPath("$.error")
                .value(e -> assertThat((String) e).contains("runner thread stopped"));
        http.get().uri("/v2/models/{m}/versions/{v}/ready", model, version).exchange().expectStatus().isEqualTo(503);
        http.get().uri("/v2/health/ready").exchange().expectStatus().isEqualTo(503).expectBody().jsonPath("$.error")
                .value(e -> assertThat((String) e).contains("lost a runner thread"));
        http.get().uri("/v2/models/{m}", model).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.parameters.state").isEqualTo("FAILED")
                .jsonPath("$.parameters.error").value(e -> assertThat((String) e).startsWith("runner thread stopped: "));
    }
}
