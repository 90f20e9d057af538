package dev.otimo.compression;

import dev.otimo.onnx.Mlp;
import dev.otimo.registry.ModelVersion;
import dev.otimo.registry.RegistryService;
import dev.otimo.support.ServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.reactive.function.BodyInserters;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Compression as jobs over the admin API: lifecycle, lineage, report, failures, restarts, bad requests. */
class CompressionJobsTest extends ServerTest {

    @Autowired
    RegistryService registry;

    @Autowired
    CompressionJobRepository jobs;

    @Autowired
    CompressionService compression;

    @Autowired
    TransactionTemplate tx;

    private static byte[] mlp() {
        return Mlp.layered("mlp", new int[] {32, 64, 10}, 5).toByteArray();
    }

    private String start(String model, int version, String body) {
        return admin.post().uri("/api/v1/models/{m}/versions/{v}/compressions", model, version)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isAccepted().expectBody(JsonNode.class).returnResult().getResponseBody().get("jobId").asString();
    }

    private JsonNode awaitJob(String jobId) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            last[0] = admin.get().uri("/api/v1/jobs/{id}", jobId).exchange().expectStatus().isOk()
                    .expectBody(JsonNode.class).returnResult().getResponseBody();
            String status = last[0].get("status").asString();
            return status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("CANCELLED");
        });
        return last[0];
    }

    private static String row(int width, Random random) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < width; i++) {
            s.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", random.nextFloat() * 2 - 1));
        }
        return s.toString();
    }

    @Test
    void int8DynamicJobMakesANewVersionWithLineageAndReport() {
        String model = unique("cmp");
        serve(model, mlp());
        String jobId = start(model, 1, "{\"method\": \"int8-dynamic\"}");
        JsonNode job = awaitJob(jobId);
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("progress").asInt()).isEqualTo(100);
        assertThat(job.get("resultVersion").asInt()).isEqualTo(2);
        JsonNode v2 = admin.get().uri("/api/v1/models/{m}/versions/2", model).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(v2.get("status").asString()).isEqualTo("READY");
        assertThat(v2.get("parentVersion").asInt()).isEqualTo(1);
        assertThat(v2.get("recipe").get("recipe").get(0).get("method").asString()).isEqualTo("int8-dynamic");
        JsonNode report = v2.get("report");
        assertThat(report.get("parent").get("sizeBytes").asLong()).isGreaterThan(report.get("child").get("sizeBytes").asLong());
        assertThat(report.get("child").get("batch1").get("rowsPerSecond").asDouble()).isPositive();
        assertThat(report.get("fidelity").get("meanCosine").asDouble()).isGreaterThan(0.99);
        assertThat(report.get("fidelity").get("top1Agreement").isNull()).isFalse();
        deploy(model, 2, null);
        JsonNode r = http.post().uri("/v2/models/{m}/versions/2/infer", model).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,32],\"datatype\":\"FP32\",\"data\":[" + row(32, new Random(3)) + "]}]}")
                .exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(r.get("outputs").get(0).get("shape").toString()).isEqualTo("[1,10]");
    }

    @Test
    void staticQuantizationCalibratesOnTrafficOrOnAnUploadedSet() {
        String model = unique("cmp-static");
        serve(model, mlp());
        Random random = new Random(9);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            String request = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,32],\"datatype\":\"FP32\",\"data\":[" + row(32, random) + "]}]}";
            inferOk(model, request);
            lines.append(request).append('\n');
        }
        JsonNode fromTraffic = awaitJob(start(model, 1,
                "{\"method\": \"int8-static\", \"calibration\": {\"source\": \"traffic\", \"samples\": 16}}"));
        assertThat(fromTraffic.get("status").asString()).as(fromTraffic.toString()).isEqualTo("SUCCEEDED");
        assertThat(fromTraffic.get("report").get("fidelity").get("source").asString()).isEqualTo("traffic");

        JsonNode set = uploadCalibrationSet(model, lines.toString().getBytes());
        assertThat(set.get("samples").asInt()).isEqualTo(20);
        JsonNode fromUpload = awaitJob(start(model, 1, "{\"recipe\": [{\"method\": \"prune\", \"options\": {\"sparsity\": 0.2}},"
                + " {\"method\": \"int8-static\"}], \"calibration\": {\"source\": \"upload\", \"uploadId\": \"" + set.get("uploadId").asString() + "\"}}"));
        assertThat(fromUpload.get("status").asString()).as(fromUpload.toString()).isEqualTo("SUCCEEDED");
        JsonNode version = admin.get().uri("/api/v1/models/{m}/versions/{v}", model, fromUpload.get("resultVersion").asInt())
                .exchange().expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(version.get("recipe").get("describe").asString()).contains("prune").contains("int8-static");
    }

    @Test
    void jobFailsWhenTheModelHasNothingToCompress() {
        String model = unique("cmp-nothing");
        serve(model, dev.otimo.support.TestModels.scalar());
        JsonNode job = awaitJob(start(model, 1, "{\"method\": \"prune\", \"options\": {\"sparsity\": 0.5}}"));
        assertThat(job.get("status").asString()).isEqualTo("FAILED");
        assertThat(job.get("error").asString()).contains("nothing to prune");
        admin.get().uri("/api/v1/models/{m}", model).exchange().expectBody().jsonPath("$.versions.length()").isEqualTo(1);
    }

    @Test
    void jobFailsWhenTheParentArtifactIsCorrupt() throws Exception {
        String model = unique("cmp-corrupt");
        serve(model, mlp());
        ModelVersion parent = registry.version(model, 1);
        Files.write(registry.artifactPath(parent), new byte[] {1, 2, 3, 4, 5});
        JsonNode job = awaitJob(start(model, 1, "{\"method\": \"int8-dynamic\"}"));
        assertThat(job.get("status").asString()).isEqualTo("FAILED");
        assertThat(job.get("error").asString()).isNotBlank();
        admin.get().uri("/api/v1/models/{m}", model).exchange().expectBody().jsonPath("$.versions.length()").isEqualTo(1);
    }

    @Test
    void jobsInterruptedByARestartAreMarkedFailed() {
        String model = unique("cmp-restart");
        serve(model, mlp());
        String id = java.util.UUID.randomUUID().toString();
        tx.executeWithoutResult(s -> {
            CompressionJob job = new CompressionJob(id, registry.model(model), 1, "[]", null);
            job.running(20, "applying int8-dynamic{}");
            jobs.save(job);
        });
        compression.failInterruptedJobs();
        JsonNode job = admin.get().uri("/api/v1/jobs/{id}", id).exchange().expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(job.get("status").asString()).isEqualTo("FAILED");
        assertThat(job.get("error").asString()).contains("restart");
    }

    @Test
    void badCompressionRequestsAre4xx() {
        String model = unique("cmp-bad");
        serve(model, mlp());
        expect(model, 1, "{\"method\": \"int4-magic\"}", 400, "unknown");
        expect(model, 1, "{\"method\": \"prune\", \"options\": {\"sparsity\": 1.5}}", 400, "sparsity");
        expect(model, 1, "{\"method\": \"prune\", \"options\": {\"sparsity\": -0.1}}", 400, "sparsity");
        expect(model, 1, "{\"method\": \"int8-static\"}", 400, "calibration");
        expect(model, 1, "{\"method\": \"int8-static\", \"calibration\": {\"source\": \"traffic\"}}", 400, "calibration");
        expect(model, 1, "{\"method\": \"int8-static\", \"calibration\": {\"source\": \"upload\", \"uploadId\": \"nope\"}}", 400, "does not exist");
        expect(model, 1, "{\"method\": \"int8-dynamic\", \"options\": {\"bogus\": 1}}", 400, "bogus");
        expect(model, 1, "{\"method\": \"int8-dynamic\", \"options\": {\"weightRange\": \"6bit\"}}", 400, "weightRange");
        expect(model, 1, "{\"method\": \"int8-dynamic\", \"recipe\": [{\"method\": \"fp16\"}]}", 400, "either");
        expect(model, 1, "{}", 400, "either");
        expect(model, 9, "{\"method\": \"int8-dynamic\"}", 404, "no version 9");
        admin.post().uri("/api/v1/models/{m}/versions", model)
                .body(BodyInserters.fromMultipartData(multipart("not onnx".getBytes()))).exchange().expectStatus().isBadRequest();
        expect(model, 2, "{\"method\": \"int8-dynamic\"}", 409, "FAILED");
        admin.get().uri("/api/v1/jobs?model={m}", model).exchange().expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(0);
    }

    @Test
    void int8MethodsOnAnAlreadyQuantizedVersionAre400NamingTheOperatorsAndTheFloatParent() {
        String uploaded = unique("cmp-quantized");
        serve(uploaded, TestModels.quantizedCnn().toByteArray());
        expect(uploaded, 1, "{\"method\": \"int8-dynamic\"}", 400, "ConvInteger=3");
        expect(uploaded, 1, "{\"method\": \"int8-dynamic\"}", 400, "already quantized");
        expect(uploaded, 1, "{\"method\": \"int8-dynamic\"}", 400, "the float model it was made from");
        admin.get().uri("/api/v1/jobs?model={m}", uploaded).exchange().expectBody().jsonPath("$.length()").isEqualTo(0);

        String model = unique("cmp-requant");
        serve(model, TestModels.publishedCnn(true).toByteArray());
        JsonNode job = awaitJob(start(model, 1, "{\"method\": \"int8-dynamic\", \"keepIfNoGain\": true}"));
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        JsonNode operators = job.get("report").get("extras").get("int8-dynamic").get("operators");
        assertThat(operators.get("Conv").get("transformed").asInt()).as(operators.toString()).isEqualTo(3);
        assertThat(job.get("report").get("extras").get("int8-dynamic").has("upCast")).isTrue();
        int quantized = job.get("resultVersion").asInt();
        expect(model, quantized, "{\"method\": \"int8-dynamic\"}", 400, "float parent version 1");
    }

    @Test
    void aResultWithNoGainRegistersNoVersionUnlessKeepIfNoGain() {
        String model = unique("cmp-nogain");
        serve(model, TestModels.requantizingChain().toByteArray());
        Random random = new Random(4);
        for (int i = 0; i < 8; i++) {
            inferOk(model, "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4096],\"datatype\":\"FP32\",\"data\":["
                    + row(4096, random) + "]}]}");
        }
        String request = "{\"method\": \"int8-static\", \"calibration\": {\"source\": \"traffic\"}";
        JsonNode dropped = awaitJob(start(model, 1, request + "}"));
        assertThat(dropped.get("status").asString()).as(dropped.toString()).isEqualTo("SUCCEEDED");
        assertThat(dropped.get("resultVersion").isNull()).as(dropped.toString()).isTrue();
        assertThat(dropped.get("step").asString()).isEqualTo("no gain: not registered");
        JsonNode report = dropped.get("report");
        assertThat(report.get("noGain").asBoolean()).isTrue();
        assertThat(report.get("gain").get("sizeRatio").asDouble()).isGreaterThanOrEqualTo(0.98);
        assertThat(report.get("gain").get("throughputRatio").asDouble()).isLessThanOrEqualTo(1.02);
        assertThat(report.get("notes").toString()).contains("no gain: not registered");
        admin.get().uri("/api/v1/models/{m}", model).exchange().expectBody().jsonPath("$.versions.length()").isEqualTo(1);

        JsonNode kept = awaitJob(start(model, 1, request + ", \"keepIfNoGain\": true}"));
        assertThat(kept.get("status").asString()).as(kept.toString()).isEqualTo("SUCCEEDED");
        assertThat(kept.get("resultVersion").asInt()).isEqualTo(2);
        assertThat(kept.get("report").get("noGain").asBoolean()).isTrue();
    }

    @Test
    void aQueuedOrRunningJobCanBeCancelledAndRegistersNothing() {
        String model = unique("cmp-cancel");
        serve(model, mlp());
        String jobId = start(model, 1, "{\"method\": \"int8-dynamic\"}");
        JsonNode cancelled = admin.delete().uri("/api/v1/jobs/{id}", jobId).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(cancelled.get("status").asString()).isEqualTo("CANCELLED");
        assertThat(cancelled.get("error").asString()).contains("cancelled by");
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> {
            JsonNode job = admin.get().uri("/api/v1/jobs/{id}", jobId).exchange().expectBody(JsonNode.class)
                    .returnResult().getResponseBody();
            return job.get("status").asString().equals("CANCELLED") && job.get("resultVersion").isNull();
        });
        admin.get().uri("/api/v1/models/{m}", model).exchange().expectBody().jsonPath("$.versions.length()").isEqualTo(1);
        admin.delete().uri("/api/v1/jobs/{id}", jobId).exchange().expectStatus().isEqualTo(409);
        admin.delete().uri("/api/v1/jobs/{id}", "no-such-job").exchange().expectStatus().isNotFound();
        admin.get().uri("/api/v1/audit?model={m}", model).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$[?(@.action == 'compression.cancel')]").exists();
    }

    private void expect(String model, int version, String body, int status, String fragment) {
        admin.post().uri("/api/v1/models/{m}/versions/{v}/compressions", model, version)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isEqualTo(status)
                .expectBody().jsonPath("$.error").value(e -> assertThat(((String) e).toLowerCase()).contains(fragment.toLowerCase()));
    }
}
