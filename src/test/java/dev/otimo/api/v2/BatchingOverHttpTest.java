package dev.otimo.api.v2;

import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dynamic batching end to end: many concurrent clients get exactly the answer each request gets
 * alone, whatever the mix of shapes and row counts; unbatchable models run request by request;
 * a full queue answers 429 and a request past its timeout is refused.
 */
class BatchingOverHttpTest extends ServerTest {

    private WebClient client() {
        return WebClient.builder().baseUrl("http://127.0.0.1:" + port)
                .codecs(ServerTest::testCodecs).build();
    }

    private Mono<JsonNode> post(String model, String body) {
        return client().post().uri("/v2/models/{m}/infer", model).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body).retrieve().bodyToMono(String.class).map(JSON::readTree);
    }

    private static final String BATCHING = "{\"batching\": {\"maxBatchSize\": 32, \"maxQueueDelayMicros\": 2000}}";

    @Test
    void concurrentMixedShapesAndRowCountsGetTheirOwnAnswers() {
        String model = unique("dynw");
        int v = upload(model, TestModels.dynamicWidth());
        deploy(model, v, BATCHING);
        Random random = new Random(1);
        record Case(String body, float[] expected) {
        }
        List<Case> cases = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int rows = 1 + random.nextInt(3);
            int width = new int[] {2, 3, 5}[random.nextInt(3)];
            float[] x = new float[rows * width];
            float[] y = new float[x.length];
            StringBuilder data = new StringBuilder();
            for (int k = 0; k < x.length; k++) {
                x[k] = Math.round((random.nextFloat() * 4 - 2) * 100) / 100f;
                y[k] = Math.max(x[k], 0) * 3;
                data.append(k == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.2f", x[k]));
            }
            cases.add(new Case("{\"id\":\"" + i + "\",\"inputs\":[{\"name\":\"x\",\"shape\":[" + rows + "," + width
                    + "],\"datatype\":\"FP32\",\"data\":[" + data + "]}]}", y));
        }
        List<JsonNode> answers = Flux.fromIterable(cases).flatMapSequential(c -> post(model, c.body()), 64)
                .collectList().block(Duration.ofSeconds(120));
        for (int i = 0; i < cases.size(); i++) {
            JsonNode r = answers.get(i);
            assertThat(r.get("id").asString()).isEqualTo(Integer.toString(i));
            JsonNode data = r.get("outputs").get(0).get("data");
            float[] expected = cases.get(i).expected();
            assertThat(data.size()).isEqualTo(expected.length);
            for (int k = 0; k < expected.length; k++) {
                assertThat(data.get(k).floatValue()).isCloseTo(expected[k], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
        JsonNode batches = admin.get().uri("/actuator/metrics/otimo.batch.size?tag=model:{m}", model).exchange()
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        double runs = batches.get("measurements").get(0).get("value").asDouble();
        assertThat(runs).as("300 requests were served in fewer model runs").isLessThan(300);
    }

    @Test
    void multiInputModelUnderConcurrencyAnswersEachRequest() {
        String model = unique("sum-conc");
        int v = upload(model, TestModels.sumAndScale());
        deploy(model, v, BATCHING);
        List<JsonNode> answers = Flux.range(0, 200).flatMapSequential(i -> post(model,
                "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[" + i + "," + i + "," + i + "," + i + "]},"
                        + "{\"name\":\"b\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],\"outputs\":[{\"name\":\"sum\"}]}"), 64)
                .collectList().block(Duration.ofSeconds(120));
        for (int i = 0; i < 200; i++) {
            assertThat(answers.get(i).get("outputs").get(0).get("data").toString())
                    .isEqualTo("[" + (i + 1.0) + "," + (i + 2.0) + "," + (i + 3.0) + "," + (i + 4.0) + "]");
        }
    }

    @Test
    void scalarInputModelIsServedRequestByRequest() {
        String model = unique("scalar");
        int v = upload(model, TestModels.scalar());
        JsonNode d = deploy(model, v, BATCHING);
        assertThat(d.get("state").asString()).isEqualTo("READY");
        admin.get().uri("/api/v1/models/{m}/versions/{v}", model, v).exchange().expectBody().jsonPath("$.batchable").isEqualTo(false);
        List<JsonNode> answers = Flux.range(0, 50).flatMapSequential(i -> post(model,
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[],\"datatype\":\"FP32\",\"data\":[" + i + "]}]}"), 16)
                .collectList().block(Duration.ofSeconds(60));
        for (int i = 0; i < 50; i++) {
            assertThat(answers.get(i).get("outputs").get(0).get("data").get(0).floatValue()).isEqualTo(i + 1f);
            assertThat(answers.get(i).get("outputs").get(0).get("shape").size()).isZero();
        }
    }

    @Test
    void batchOnAxisOneModelIsServedRequestByRequest() {
        String model = unique("axis1");
        int v = upload(model, TestModels.batchOnAxis1());
        deploy(model, v, BATCHING);
        List<JsonNode> answers = Flux.range(1, 40).flatMapSequential(n -> {
            StringBuilder data = new StringBuilder();
            for (int k = 0; k < 3 * n; k++) {
                data.append(k == 0 ? "" : ",").append(k);
            }
            return post(model, "{\"inputs\":[{\"name\":\"x\",\"shape\":[3," + n + "],\"datatype\":\"FP32\",\"data\":[" + data + "]}]}");
        }, 16).collectList().block(Duration.ofSeconds(60));
        for (int n = 1; n <= 40; n++) {
            JsonNode out = answers.get(n - 1).get("outputs").get(0);
            assertThat(out.get("shape").toString()).isEqualTo("[3," + n + "]");
            assertThat(out.get("data").get(3 * n - 1).floatValue()).isEqualTo((3 * n - 1) * 10f);
        }
    }

    @Test
    void fullQueueAnswers429WithRetryAfter() {
        String model = unique("slow-full");
        int v = upload(model, TestModels.slow(40));
        deploy(model, v, "{\"instances\": 1, \"batching\": {\"maxBatchSize\": 1, \"queueCapacity\": 1}}");
        String body = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,1],\"datatype\":\"FP32\",\"data\":[1]}]}";
        CompletableFuture<JsonNode> running = post(model, body).toFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> started(model) == 1);
        CompletableFuture<JsonNode> queued = post(model, body).toFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> queueDepth(model, v) == 1);
        assertThat(running).isNotDone();
        WebTestClient.ResponseSpec third = infer(model, body);
        third.expectStatus().isEqualTo(429).expectHeader().exists("Retry-After")
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("queue is full"));
        assertThat(running.join().get("outputs").get(0).get("data").get(0).floatValue()).isEqualTo(1f);
        assertThat(queued.join()).isNotNull();
    }

    @Test
    void requestPastItsTimeoutIsRefusedAndNotRun() {
        String model = unique("slow-timeout");
        int v = upload(model, TestModels.slow(40));
        deploy(model, v, "{\"instances\": 1, \"batching\": {\"maxBatchSize\": 1}}");
        String body = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,1],\"datatype\":\"FP32\",\"data\":[1]}]}";
        CompletableFuture<JsonNode> running = post(model, body).toFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> started(model) == 1);
        infer(model, "{\"parameters\":{\"timeout\":1000},\"inputs\":[{\"name\":\"x\",\"shape\":[1,1],\"datatype\":\"FP32\",\"data\":[2]}]}")
                .expectStatus().isEqualTo(429)
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("did not start within its timeout"));
        running.join();
        JsonNode runs = admin.get().uri("/actuator/metrics/otimo.batch.size?tag=model:{m}", model).exchange()
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        // warm-up runs directly on the session; the batcher ran only the first request
        assertThat(runs.get("measurements").get(0).get("value").asDouble()).isEqualTo(1.0);
    }

    /** Requests that left the queue for a runner. */
    private int started(String model) {
        return admin.get().uri("/actuator/metrics/otimo.queue.wait?tag=model:{m}", model).exchange()
                .expectBody(JsonNode.class).returnResult().getResponseBody()
                .get("measurements").get(0).get("value").asInt();
    }

    private int queueDepth(String model, int version) {
        JsonNode d = admin.get().uri("/api/v1/models/{m}/versions/{v}/deployment", model, version).exchange()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        return d.get("queueDepth").asInt();
    }
}
