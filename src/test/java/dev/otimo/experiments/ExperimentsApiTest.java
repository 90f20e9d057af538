package dev.otimo.experiments;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.otimo.onnx.GraphBuilder;
import dev.otimo.runtime.DataType;
import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A/B experiments over HTTP: the admin contract (start, list, read, promote, stop, and a 4xx for every bad
 * input), the audit trail, recording of routed traffic per variant, and outcome joins under concurrent traffic.
 * Version 1 of each model echoes its [batch, 3] input (top-1 = the largest input), version 2 negates it
 * (top-1 = the smallest), so a label equal to the largest input's index is always right for 1 and wrong for 2.
 */
class ExperimentsApiTest extends ServerTest {

    private static final String FIFTY_FIFTY = "{\"variants\": [{\"version\": 1, \"weight\": 50}, {\"version\": 2, \"weight\": 50}]";
    private static final String BAD_ROW = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";
    /** A model with two deployed versions that no test starts an experiment on: for the refusals. */
    private static volatile String refusals;

    /** y = −x over [batch, 3] FP32: the top-1 class is the smallest input. */
    static byte[] negate() {
        return GraphBuilder.named("negate")
                .input("x", TensorProto.DataType.FLOAT, -1, 3)
                .output("y", TensorProto.DataType.FLOAT, -1, 3)
                .node("Neg", List.of("x"), List.of("y"))
                .toBytes();
    }

    private String echoAndNegate(String prefix) {
        String model = unique(prefix);
        serve(model, TestModels.echo(DataType.FP32));
        serve(model, negate());
        return model;
    }

    private synchronized String refusalsModel() {
        if (refusals == null) {
            refusals = echoAndNegate("refused");
        }
        return refusals;
    }

    private WebTestClient.ResponseSpec post(String path, String json, Object... vars) {
        return admin.post().uri(path, vars).contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
    }

    private WebTestClient.ResponseSpec startExperiment(String model, String json) {
        return post("/api/v1/models/{m}/experiments", json, model);
    }

    private JsonNode start(String model, String json) {
        return startExperiment(model, json).expectStatus().isCreated().expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    private JsonNode experiment(String model, long id) {
        return admin.get().uri("/api/v1/models/{m}/experiments/{id}", model, id).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    private JsonNode routing(String model) {
        return admin.get().uri("/api/v1/models/{m}/routing", model).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    private int weight(String model, int version) {
        for (JsonNode v : routing(model).get("variants")) {
            if (v.get("version").asInt() == version) {
                return v.get("weight").asInt();
            }
        }
        throw new AssertionError("version " + version + " is not a variant of " + model);
    }

    private List<JsonNode> audit(String model) {
        JsonNode entries = admin.get().uri("/api/v1/audit?limit=100&model={m}", model).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        List<JsonNode> all = new ArrayList<>();
        entries.forEach(all::add);
        return all;
    }

    private JsonNode auditEntry(String model, String action) {
        return audit(model).stream().filter(e -> e.get("action").asString().equals(action)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + action + " in the audit log of " + model));
    }

    private void expectError(WebTestClient.ResponseSpec response, int status, String fragment) {
        response.expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).containsIgnoringCase(fragment));
    }

    private static JsonNode variant(JsonNode experiment, int version) {
        for (JsonNode v : experiment.get("variants")) {
            if (v.get("version").asInt() == version) {
                return v;
            }
        }
        throw new AssertionError("no variant " + version);
    }

    /** One routed request with three distinct values; returns the version that answered. */
    private int send(String model, String id, float[] x) {
        String idPart = id == null ? "" : "\"id\": \"" + id + "\", ";
        String body = String.format(Locale.ROOT, "{%s\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\","
                + "\"data\":[%s,%s,%s]}]}", idPart, x[0], x[1], x[2]);
        JsonNode answer = inferOk(model, body);
        if (id != null) {
            assertThat(answer.get("id").asString()).isEqualTo(id);
        }
        return Integer.parseInt(answer.get("model_version").asString());
    }

    private static float[] row(SplittableRandom random) {
        float[] x = new float[3];
        do {
            for (int i = 0; i < 3; i++) {
                x[i] = random.nextInt(1000) / 10f;
            }
        } while (x[0] == x[1] || x[1] == x[2] || x[0] == x[2]);
        return x;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    private JsonNode report(String model, String json) {
        return http.post().uri("/v2/models/{m}/outcomes", model).contentType(MediaType.APPLICATION_JSON).bodyValue(json)
                .exchange().expectStatus().isAccepted().expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    private static String outcomes(Map<String, Integer> labels) {
        StringBuilder s = new StringBuilder("[");
        labels.forEach((id, label) -> s.append(s.length() > 1 ? "," : "").append("{\"id\":\"").append(id).append("\",\"label\":")
                .append(label).append('}'));
        return s.append(']').toString();
    }

    @Test
    void startAnswers201AndRoutesTrafficByTheExperimentsWeights() {
        String model = echoAndNegate("start");
        JsonNode created = start(model, "{\"variants\": [{\"version\": 1, \"weight\": 1}, {\"version\": 2, \"weight\": 3}], "
                + "\"metric\": \"errorRate\", \"alpha\": 0.05}");
        assertThat(created.get("id").asLong()).isPositive();
        assertThat(created.get("status").asString()).isEqualTo("RUNNING");
        assertThat(created.get("metric").asString()).isEqualTo("errorRate");
        assertThat(created.get("alpha").asDouble()).isEqualTo(0.05);
        assertThat(created.get("controlVersion").asInt()).isEqualTo(1);
        assertThat(created.get("createdBy").asString()).isEqualTo("admin");
        assertThat(created.get("plannedPerVariant").asLong()).isBetween(2_150L, 2_500L);
        assertThat(variant(created, 1).get("weight").asInt()).isEqualTo(25);
        assertThat(variant(created, 2).get("weight").asInt()).isEqualTo(75);
        assertThat(variant(created, 1).get("requests").asLong()).isZero();
        assertThat(created.get("verdict").get("winner").isNull()).isTrue();
        assertThat(created.get("verdict").get("text").asString()).startsWith("no difference detected yet (need ~");
        assertThat(weight(model, 1)).isEqualTo(25);
        assertThat(weight(model, 2)).isEqualTo(75);

        JsonNode list = admin.get().uri("/api/v1/models/{m}/experiments", model).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(list.size()).isEqualTo(1);
        assertThat(list.get(0).get("id").asLong()).isEqualTo(created.get("id").asLong());
        assertThat(list.get(0).get("status").asString()).isEqualTo("RUNNING");
        assertThat(list.get(0).get("variants").get(1).get("weight").asInt()).isEqualTo(75);
    }

    @Test
    void startingIsAuditedWithTheAdminAndTheRoutingChange() {
        String model = echoAndNegate("audit");
        long id = start(model, FIFTY_FIFTY + "}").get("id").asLong();
        JsonNode started = auditEntry(model, "experiment.start");
        assertThat(started.get("actor").asString()).isEqualTo("admin");
        assertThat(started.get("detail").asString()).contains("experiment " + id, "v1 50%", "v2 50%", "errorRate");
        JsonNode routed = auditEntry(model, "routing.update");
        assertThat(routed.get("actor").asString()).isEqualTo("admin");
        assertThat(routed.get("detail").asString()).contains("v1 50%", "v2 50%");
    }

    @Test
    void aSecondOpenExperimentOnTheModelIs409() {
        String model = echoAndNegate("second");
        long first = start(model, FIFTY_FIFTY + "}").get("id").asLong();
        expectError(startExperiment(model, FIFTY_FIFTY + "}"), 409, "already has an open experiment (" + first);
        assertThat(admin.get().uri("/api/v1/models/{m}/experiments", model).exchange().expectBody(JsonNode.class)
                .returnResult().getResponseBody().size()).isEqualTo(1);
    }

    @Test
    void anUndeployedVariantIs409AndStartsNothing() {
        String model = echoAndNegate("undeployed");
        int notDeployed = upload(model, TestModels.echo(DataType.FP32));
        expectError(startExperiment(model, "{\"variants\": [{\"version\": 1, \"weight\": 50}, {\"version\": " + notDeployed
                + ", \"weight\": 50}]}"), 409, "not deployed");
        assertThat(admin.get().uri("/api/v1/models/{m}/experiments", model).exchange().expectBody(JsonNode.class)
                .returnResult().getResponseBody().size()).isZero();
        // the refusal left no open experiment behind
        start(model, FIFTY_FIFTY + "}");
    }

    @Test
    void fewerThanTwoVariantsAre400() {
        expectError(startExperiment(refusalsModel(), "{\"variants\": [{\"version\": 1, \"weight\": 100}]}"), 400, "at least two variants");
        expectError(startExperiment(refusalsModel(), "{\"variants\": []}"), 400, "at least two variants");
    }

    @Test
    void aVersionListedTwiceIs400() {
        expectError(startExperiment(refusalsModel(), "{\"variants\": [{\"version\": 1, \"weight\": 50}, {\"version\": 1, \"weight\": 50}]}"),
                400, "listed twice");
    }

    @Test
    void aVersionTheModelDoesNotHaveIs400() {
        expectError(startExperiment(refusalsModel(), "{\"variants\": [{\"version\": 1, \"weight\": 50}, {\"version\": 9, \"weight\": 50}]}"),
                400, "has no version 9");
    }

    @Test
    void weightsNotSummingToMoreThanZeroAre400() {
        expectError(startExperiment(refusalsModel(), "{\"variants\": [{\"version\": 1, \"weight\": 0}, {\"version\": 2, \"weight\": 0}]}"),
                400, "sum to more than 0");
        expectError(startExperiment(refusalsModel(), "{\"variants\": [{\"version\": 1, \"weight\": -5}, {\"version\": 2, \"weight\": 10}]}"),
                400, "must not be negative");
    }

    @Test
    void alphaOutsideZeroToOneHalfIs400() {
        for (String alpha : List.of("0", "-0.1", "0.6", "1")) {
            expectError(startExperiment(refusalsModel(), FIFTY_FIFTY + ", \"alpha\": " + alpha + "}"), 400, "alpha must be in (0, 0.5]");
        }
    }

    @Test
    void anUnknownMetricIs400() {
        expectError(startExperiment(refusalsModel(), FIFTY_FIFTY + ", \"metric\": \"happiness\"}"), 400, "unknown metric happiness");
    }

    @Test
    void aMissingOrMalformedBodyIs400() {
        expectError(admin.post().uri("/api/v1/models/{m}/experiments", refusalsModel()).contentType(MediaType.APPLICATION_JSON)
                .exchange(), 400, "variants");
        expectError(startExperiment(refusalsModel(), "{}"), 400, "variants");
        expectError(startExperiment(refusalsModel(), "{\"variants\": [{\"version\": 1}, {\"version\": 2}]}"), 400, "version and a weight");
        expectError(startExperiment(refusalsModel(), "{\"variants\": "), 400, "");
        expectError(startExperiment(refusalsModel(), FIFTY_FIFTY + ", \"minSamplePerVariant\": 3}"), 400, "minSamplePerVariant");
        assertThat(admin.get().uri("/api/v1/models/{m}/experiments", refusalsModel()).exchange().expectBody(JsonNode.class)
                .returnResult().getResponseBody().size()).isZero();
    }

    @Test
    void anUnknownModelIs404() {
        expectError(startExperiment("no-such-model", FIFTY_FIFTY + "}"), 404, "does not exist");
        expectError(admin.get().uri("/api/v1/models/no-such-model/experiments").exchange(), 404, "does not exist");
        expectError(http.post().uri("/v2/models/no-such-model/outcomes").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"id\": \"a\", \"label\": 1}").exchange(), 404, "unknown model");
    }

    @Test
    void anUnknownExperimentIs404() {
        String model = refusalsModel();
        expectError(admin.get().uri("/api/v1/models/{m}/experiments/987654", model).exchange(), 404, "no experiment 987654");
        expectError(post("/api/v1/models/{m}/experiments/987654/promote", "{\"version\": 1}", model), 404, "no experiment 987654");
        expectError(post("/api/v1/models/{m}/experiments/987654/stop", "{}", model), 404, "no experiment 987654");
        expectError(admin.delete().uri("/api/v1/models/{m}/experiments/987654", model).exchange(), 404, "no experiment 987654");
    }

    @Test
    void experimentsNeedAdminCredentials() {
        String model = refusalsModel();
        http.post().uri("/api/v1/models/{m}/experiments", model).contentType(MediaType.APPLICATION_JSON).bodyValue(FIFTY_FIFTY + "}")
                .exchange().expectStatus().isUnauthorized().expectBody().jsonPath("$.error").isNotEmpty();
        http.get().uri("/api/v1/models/{m}/experiments", model).exchange().expectStatus().isUnauthorized()
                .expectBody().returnResult();
    }

    @Test
    void routedTrafficIsRecordedPerVariantAndClientErrorsAreNot() {
        String model = echoAndNegate("traffic");
        long id = start(model, FIFTY_FIFTY + "}").get("id").asLong();
        SplittableRandom random = new SplittableRandom(3);
        int[] answered = new int[3];
        for (int i = 0; i < 200; i++) {
            answered[send(model, null, row(random))]++;
        }
        for (int i = 0; i < 10; i++) {
            infer(model, BAD_ROW).expectStatus().isBadRequest().expectBody().returnResult();
        }
        // a request naming its version bypasses routing and the experiment
        http.post().uri("/v2/models/{m}/versions/2/infer", model).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}")
                .exchange().expectStatus().isOk().expectBody().returnResult();
        assertThat(answered[1]).isPositive();
        assertThat(answered[2]).isPositive();
        JsonNode e = experiment(model, id);
        for (int version = 1; version <= 2; version++) {
            JsonNode v = variant(e, version);
            assertThat(v.get("requests").asLong()).as("requests of v%d", version).isEqualTo(answered[version]);
            assertThat(v.get("errors").asLong()).isZero();
            assertThat(v.get("errorRate").asDouble()).isZero();
            assertThat(v.get("p50Millis").asDouble()).isPositive();
            assertThat(v.get("p99Millis").asDouble()).isGreaterThanOrEqualTo(v.get("p50Millis").asDouble());
            assertThat(v.get("intervals").get("errorRate").get("high").asDouble()).isPositive().isLessThan(0.1);
            assertThat(v.get("intervals").get("p50Millis").get("low").asDouble()).isPositive();
            assertThat(v.get("accuracy").isNull()).isTrue();
        }
        List<String> metrics = new ArrayList<>();
        e.get("comparisons").forEach(c -> metrics.add(c.get("metric").asString()));
        assertThat(metrics).containsExactly("errorRate", "latency");
        JsonNode errorRate = e.get("comparisons").get(0);
        assertThat(errorRate.get("control").asInt()).isEqualTo(1);
        assertThat(errorRate.get("variant").asInt()).isEqualTo(2);
        assertThat(errorRate.get("difference").asDouble()).isZero();
        assertThat(e.get("verdict").get("requestsNeeded").asLong()).isPositive();
    }

    @Test
    void outcomeJoinsAreExactUnderConcurrentTraffic() throws Exception {
        String model = echoAndNegate("joins");
        long id = start(model, FIFTY_FIFTY + ", \"metric\": \"accuracy\", \"minSamplePerVariant\": 100000}").get("id").asLong();
        int threads = 8;
        int perThread = 40;
        Map<String, Integer> servedBy = new ConcurrentHashMap<>();
        Map<String, Integer> labels = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                running.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(thread);
                    for (int i = 0; i < perThread; i++) {
                        String requestId = "t" + thread + "-r" + i;
                        float[] x = row(random);
                        labels.put(requestId, argmax(x));
                        servedBy.put(requestId, send(model, requestId, x));
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        long byOne = servedBy.values().stream().filter(v -> v == 1).count();
        long byTwo = servedBy.values().stream().filter(v -> v == 2).count();
        assertThat(byOne + byTwo).isEqualTo(threads * perThread);
        assertThat(byOne).isPositive();
        assertThat(byTwo).isPositive();

        JsonNode tally = report(model, outcomes(labels));
        assertThat(tally.get("accepted").asInt()).isEqualTo(threads * perThread);
        assertThat(tally.get("unknown").asInt()).isZero();
        assertThat(tally.get("expired").asInt()).isZero();

        JsonNode e = experiment(model, id);
        assertThat(variant(e, 1).get("requests").asLong()).isEqualTo(byOne);
        assertThat(variant(e, 2).get("requests").asLong()).isEqualTo(byTwo);
        assertThat(variant(e, 1).get("outcomes").asLong()).isEqualTo(byOne);
        assertThat(variant(e, 2).get("outcomes").asLong()).isEqualTo(byTwo);
        // every label is the echo's top-1 and never the negation's
        assertThat(variant(e, 1).get("accuracy").asDouble()).isEqualTo(1.0);
        assertThat(variant(e, 2).get("accuracy").asDouble()).isEqualTo(0.0);
        assertThat(variant(e, 1).get("intervals").get("accuracy").get("low").asDouble()).isGreaterThan(0.9);
        JsonNode accuracy = e.get("comparisons").get(2);
        assertThat(accuracy.get("metric").asString()).isEqualTo("accuracy");
        assertThat(accuracy.get("difference").asDouble()).isEqualTo(-1.0);
        assertThat(e.get("unknownOutcomeIds").asLong()).isZero();

        // each answer is joined once: the same outcomes again are unknown, and so are ids never answered
        JsonNode again = report(model, outcomes(labels));
        assertThat(again.get("accepted").asInt()).isZero();
        assertThat(again.get("unknown").asInt()).isEqualTo(threads * perThread);
        JsonNode strangers = report(model, "[{\"id\": \"never-sent\", \"label\": 1}, {\"id\": \"nor-this\", \"label\": \"cat\"}]");
        assertThat(strangers.get("unknown").asInt()).isEqualTo(2);
        assertThat(experiment(model, id).get("unknownOutcomeIds").asLong()).isEqualTo(threads * perThread + 2L);
        assertThat(variant(experiment(model, id), 1).get("outcomes").asLong()).isEqualTo(byOne);
    }

    @Test
    void shadowedTrafficGivesEachVariantsTopOneAgreementWithTheControl() {
        String model = echoAndNegate("agreement");
        admin.put().uri("/api/v1/models/{m}/routing", model).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(FIFTY_FIFTY + ", \"shadow\": {\"version\": 2, \"percent\": 100}}").exchange().expectStatus().isOk()
                .expectBody().returnResult();
        long id = start(model, FIFTY_FIFTY + "}").get("id").asLong();
        assertThat(routing(model).get("shadow").get("version").asInt()).as("the experiment keeps the shadow").isEqualTo(2);
        SplittableRandom random = new SplittableRandom(13);
        int[] answered = new int[3];
        for (int i = 0; i < 60; i++) {
            answered[send(model, null, row(random))]++;
        }
        // requests v1 answered were mirrored to v2: the echo's top-1 is the largest input, the negation's the smallest
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode agreement = experiment(model, id).get("agreement");
            return agreement.size() == 1 && agreement.get(0).get("compared").asLong() == answered[1];
        });
        JsonNode agreement = experiment(model, id).get("agreement").get(0);
        assertThat(agreement.get("version").asInt()).isEqualTo(2);
        assertThat(agreement.get("control").asInt()).isEqualTo(1);
        assertThat(agreement.get("rate").asDouble()).isZero();
        assertThat(agreement.get("high").asDouble()).isPositive().isLessThan(0.2);
    }

    @Test
    void outcomesOfAnEndedExperimentAreCountedAsExpiredAndRequestsWithoutIdLeaveNone() {
        String model = echoAndNegate("expired");
        long id = start(model, FIFTY_FIFTY + ", \"metric\": \"accuracy\"}").get("id").asLong();
        SplittableRandom random = new SplittableRandom(5);
        Map<String, Integer> labels = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            float[] x = row(random);
            labels.put("late-" + i, argmax(x));
            send(model, "late-" + i, x);
        }
        float[] x = row(random);
        send(model, null, x);
        post("/api/v1/models/{m}/experiments/{id}/stop", "{}", model, id).expectStatus().isOk();
        JsonNode tally = report(model, outcomes(labels));
        assertThat(tally.get("expired").asInt()).isEqualTo(20);
        assertThat(tally.get("accepted").asInt()).isZero();
    }

    @Test
    void malformedOutcomesAre400() {
        String model = refusalsModel();
        for (String body : List.of("[1, 2]", "{\"label\": 1}", "{\"id\": 7, \"label\": 1}", "{\"id\": \"a\"}",
                "{\"id\": \"a\", \"label\": {\"x\": 1}}", "\"text\"", "{\"id\": ")) {
            expectError(http.post().uri("/v2/models/{m}/outcomes", model).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                    .exchange(), 400, "");
        }
        JsonNode empty = report(model, "[]");
        assertThat(empty.get("accepted").asInt()).isZero();
    }

    @Test
    void promotingSetsTheVersionsWeightTo100AndEndsTheExperiment() {
        String model = echoAndNegate("promote");
        long id = start(model, FIFTY_FIFTY + "}").get("id").asLong();
        SplittableRandom random = new SplittableRandom(9);
        int[] answered = new int[3];
        for (int i = 0; i < 40; i++) {
            answered[send(model, null, row(random))]++;
        }
        JsonNode promoted = post("/api/v1/models/{m}/experiments/{id}/promote", "{\"version\": 2}", model, id)
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(promoted.get("status").asString()).isEqualTo("PROMOTED");
        assertThat(promoted.get("winner").asInt()).isEqualTo(2);
        assertThat(promoted.get("endedBy").asString()).isEqualTo("admin");
        assertThat(promoted.get("endedAt").asString()).isNotEmpty();
        assertThat(weight(model, 2)).isEqualTo(100);
        assertThat(weight(model, 1)).isZero();
        for (int i = 0; i < 10; i++) {
            assertThat(send(model, null, row(random))).isEqualTo(2);
        }
        // the statistics as they were at the end are kept
        JsonNode ended = experiment(model, id);
        assertThat(variant(ended, 1).get("requests").asLong()).isEqualTo(answered[1]);
        assertThat(variant(ended, 2).get("requests").asLong()).isEqualTo(answered[2]);
        JsonNode audited = auditEntry(model, "experiment.promote");
        assertThat(audited.get("actor").asString()).isEqualTo("admin");
        assertThat(audited.get("version").asInt()).isEqualTo(2);
        expectError(post("/api/v1/models/{m}/experiments/{id}/promote", "{\"version\": 2}", model, id), 409, "has ended (PROMOTED)");
        // the model is free for the next experiment
        start(model, FIFTY_FIFTY + "}");
    }

    @Test
    void promotingWithoutAWinnerOrAVersionIs409AndAVersionOutsideTheExperimentIs400() {
        String model = echoAndNegate("nowinner");
        upload(model, TestModels.echo(DataType.FP32));
        long id = start(model, FIFTY_FIFTY + "}").get("id").asLong();
        expectError(admin.post().uri("/api/v1/models/{m}/experiments/{id}/promote", model, id).exchange(), 409, "no winner yet");
        expectError(post("/api/v1/models/{m}/experiments/{id}/promote", "{\"version\": 3}", model, id), 400, "not a variant");
        assertThat(experiment(model, id).get("status").asString()).isEqualTo("RUNNING");
        assertThat(weight(model, 1)).isEqualTo(50);
    }

    @Test
    void stoppingEndsTheExperimentAndLeavesTheRouting() {
        String model = echoAndNegate("stop");
        long first = start(model, FIFTY_FIFTY + "}").get("id").asLong();
        JsonNode stopped = post("/api/v1/models/{m}/experiments/{id}/stop", "{}", model, first).expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(stopped.get("status").asString()).isEqualTo("STOPPED");
        assertThat(stopped.get("winner").isNull()).isTrue();
        assertThat(weight(model, 1)).isEqualTo(50);
        assertThat(auditEntry(model, "experiment.stop").get("actor").asString()).isEqualTo("admin");
        expectError(post("/api/v1/models/{m}/experiments/{id}/stop", "{}", model, first), 409, "has ended (STOPPED)");

        long second = start(model, FIFTY_FIFTY + "}").get("id").asLong();
        admin.delete().uri("/api/v1/models/{m}/experiments/{id}", model, second).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("STOPPED");
    }

    @Test
    void autoPromotionPromotesTheWinnerOnceTheVerdictIsReachedAndTheGuardIsQuiet() {
        String model = echoAndNegate("auto");
        long id = start(model, FIFTY_FIFTY + ", \"metric\": \"accuracy\", \"minSamplePerVariant\": 20, \"autoPromote\": true}")
                .get("id").asLong();
        SplittableRandom random = new SplittableRandom(11);
        Map<String, Integer> labels = new java.util.LinkedHashMap<>();
        int[] answered = new int[3];
        for (int i = 0; answered[1] < 25 || answered[2] < 25; i++) {
            float[] x = row(random);
            labels.put("auto-" + i, argmax(x));
            answered[send(model, "auto-" + i, x)]++;
        }
        assertThat(report(model, outcomes(labels)).get("accepted").asInt()).isEqualTo(labels.size());
        await().atMost(Duration.ofSeconds(30)).until(() -> experiment(model, id).get("status").asString().equals("PROMOTED"));
        JsonNode e = experiment(model, id);
        assertThat(e.get("winner").asInt()).isEqualTo(1);
        assertThat(e.get("verdict").get("text").asString()).isEqualTo("B worse");
        assertThat(e.get("endedBy").asString()).isEqualTo("experiment");
        assertThat(weight(model, 1)).isEqualTo(100);
        assertThat(weight(model, 2)).isZero();
        assertThat(auditEntry(model, "experiment.promote").get("actor").asString()).isEqualTo("experiment");
        assertThat(auditEntry(model, "experiment.conclude").get("detail").asString()).contains("B worse");
    }

    @Test
    void openApiDocumentsExperimentsAndOutcomes() {
        JsonNode doc = http.get().uri("/v3/api-docs").exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        JsonNode paths = doc.get("paths");
        assertThat(paths.get("/api/v1/models/{model}/experiments").has("post")).isTrue();
        assertThat(paths.get("/api/v1/models/{model}/experiments").has("get")).isTrue();
        assertThat(paths.get("/api/v1/models/{model}/experiments/{id}").has("get")).isTrue();
        assertThat(paths.get("/api/v1/models/{model}/experiments/{id}").has("delete")).isTrue();
        assertThat(paths.get("/api/v1/models/{model}/experiments/{id}/promote").has("post")).isTrue();
        assertThat(paths.get("/api/v1/models/{model}/experiments/{id}/stop").has("post")).isTrue();
        assertThat(paths.get("/api/v1/models/{model}/experiments").get("post").get("responses").has("409")).isTrue();
        assertThat(paths.get("/v2/models/{model}/outcomes").get("post").get("responses").has("202")).isTrue();
        assertThat(doc.get("components").get("schemas").has("Experiment")).isTrue();
    }
}
