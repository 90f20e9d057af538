package dev.otimo.api.admin;

import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpEntity;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Uploads are byte-exact or refused, bounded, and leave no temporary file behind: stated digests
 * (form field, RFC 9530 part header) are checked, a second file part or an over-long calibration
 * line is refused, an aborted upload is cleaned up, and calibration sets live in the registry and
 * can be listed and deleted.
 */
class UploadHygieneTest extends ServerTest {

    private static final String SUM_LINE = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}\n";

    @Test
    void digestMismatch_formFieldSha256_is422AndStoresNothing() throws Exception {
        String model = created("digest-field");
        byte[] onnx = TestModels.sumAndScale();
        MultipartBodyBuilder parts = file(onnx, null);
        parts.part("sha256", "0".repeat(64));
        admin.post().uri("/api/v1/models/{m}/versions", model).body(BodyInserters.fromMultipartData(parts.build()))
                .exchange().expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("did not arrive as sent"));
        assertNoVersionsAndNoTempFiles(model);
    }

    @Test
    void digestMismatch_contentDigestPartHeader_is422AndStoresNothing() throws Exception {
        String model = created("digest-header");
        byte[] onnx = TestModels.sumAndScale();
        byte[] other = TestModels.scalar();
        String wrong = "sha-256=:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(other)) + ":";
        admin.post().uri("/api/v1/models/{m}/versions", model)
                .body(BodyInserters.fromMultipartData(file(onnx, Map.of("Content-Digest", wrong)).build()))
                .exchange().expectStatus().isEqualTo(422);
        String wrong512 = "sha-512=:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-512").digest(other)) + ":";
        admin.post().uri("/api/v1/models/{m}/versions", model)
                .body(BodyInserters.fromMultipartData(file(onnx, Map.of("Repr-Digest", wrong512)).build()))
                .exchange().expectStatus().isEqualTo(422);
        assertNoVersionsAndNoTempFiles(model);
    }

    @Test
    void matchingDigestsInEveryFormAreAccepted() throws Exception {
        String model = created("digest-ok");
        byte[] onnx = TestModels.sumAndScale();
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(onnx));
        MultipartBodyBuilder withField = file(onnx, null);
        withField.part("sha256", hex.toUpperCase());
        admin.post().uri("/api/v1/models/{m}/versions", model).body(BodyInserters.fromMultipartData(withField.build()))
                .exchange().expectStatus().isCreated().expectBody().jsonPath("$.sha256").isEqualTo(hex);
        String both = "sha-512=:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-512").digest(onnx))
                + ":, sha-256=:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(onnx)) + ":";
        admin.post().uri("/api/v1/models/{m}/versions", model)
                .body(BodyInserters.fromMultipartData(file(onnx, Map.of("Content-Digest", both)).build()))
                .exchange().expectStatus().isCreated();
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void malformedDigestField_is400() throws Exception {
        String model = created("digest-bad");
        admin.post().uri("/api/v1/models/{m}/versions", model)
                .body(BodyInserters.fromMultipartData(file(TestModels.sumAndScale(), Map.of("Content-Digest", "sha-256=notbase64")).build()))
                .exchange().expectStatus().isBadRequest();
        assertNoVersionsAndNoTempFiles(model);
    }

    @Test
    void twoFileParts_are400AndLeaveNoTempFile() throws Exception {
        String model = created("two-files");
        MultipartBodyBuilder parts = file(TestModels.sumAndScale(), null);
        parts.part("file", resource(TestModels.scalar(), "second.onnx"));
        admin.post().uri("/api/v1/models/{m}/versions", model).body(BodyInserters.fromMultipartData(parts.build()))
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("exactly one part named 'file'"));
        assertNoVersionsAndNoTempFiles(model);
    }

    /**
     * A file part under another name is refused after the whole body is read, and every buffer of the
     * refused part is handed back once: no double release (Netty's IllegalReferenceCountException).
     */
    @Test
    void fileUnderAnotherNameRepeatedly_releasesEveryBufferOnce() throws Exception {
        String model = created("release-once");
        List<String> doubleReleases = doubleReleasesWhile(() -> {
            for (int i = 0; i < 60; i++) {
                MultipartBodyBuilder other = new MultipartBodyBuilder();
                other.part("model", resource(TestModels.sumAndScale(), "m.onnx"));
                admin.post().uri("/api/v1/models/{m}/versions", model).body(BodyInserters.fromMultipartData(other.build()))
                        .exchange().expectStatus().isBadRequest();
            }
        });
        assertThat(doubleReleases).isEmpty();
        assertNoVersionsAndNoTempFiles(model);
    }

    /**
     * A second part named 'file' is refused mid-body, last in the body or followed by a field, and no
     * buffer of the request is released twice (the framework's multipart reader did, when cancelled).
     */
    @Test
    void twoFilePartsRepeatedly_releaseEveryBufferOnce() throws Exception {
        String model = created("two-files-once");
        List<String> doubleReleases = doubleReleasesWhile(() -> {
            for (int i = 0; i < 60; i++) {
                MultipartBodyBuilder parts = file(TestModels.sumAndScale(), null);
                parts.part("file", resource(TestModels.scalar(), "second.onnx"));
                if (i % 2 == 1) {
                    parts.part("note", "after the second file");
                }
                admin.post().uri("/api/v1/models/{m}/versions", model).body(BodyInserters.fromMultipartData(parts.build()))
                        .exchange().expectStatus().isBadRequest();
            }
        });
        assertThat(doubleReleases).isEmpty();
        assertNoVersionsAndNoTempFiles(model);
    }

    /** What was logged with an IllegalReferenceCountException among its causes while {@code uploads} ran. */
    private static List<String> doubleReleasesWhile(Runnable uploads) throws InterruptedException {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        root.addAppender(logged);
        try {
            uploads.run();
            Thread.sleep(300);
        } finally {
            root.detachAppender(logged);
        }
        return logged.list.stream()
                .filter(e -> causes(e.getThrowableProxy()).contains("IllegalReferenceCountException"))
                .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
    }

    private static String causes(ch.qos.logback.classic.spi.IThrowableProxy t) {
        StringBuilder names = new StringBuilder();
        for (; t != null; t = t.getCause()) {
            names.append(t.getClassName()).append(' ');
        }
        return names.toString();
    }

    @Test
    void fileUnderAnotherName_is400() throws Exception {
        String model = created("other-name");
        MultipartBodyBuilder parts = new MultipartBodyBuilder();
        parts.part("model", resource(TestModels.sumAndScale(), "m.onnx"));
        admin.post().uri("/api/v1/models/{m}/versions", model).body(BodyInserters.fromMultipartData(parts.build()))
                .exchange().expectStatus().isBadRequest();
        assertNoVersionsAndNoTempFiles(model);
    }

    @Test
    void clientAbortMidUpload_leavesNoTempFile() throws Exception {
        String model = created("abort");
        byte[] body = UploadIntegrityStressTest.multipart("abortboundary", "m.onnx", new byte[3_000_000]);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/models/" + model + "/versions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic "
                    + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8))
                    + "\r\nContent-Type: multipart/form-data; boundary=abortboundary\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2);
            out.flush();
            awaitTrue(() -> !tempFiles().isEmpty(), Duration.ofSeconds(10));
        }
        awaitTrue(() -> tempFiles().isEmpty(), Duration.ofSeconds(10));
        assertNoVersionsAndNoTempFiles(model);
    }

    @Test
    void calibrationSetOverTheSizeLimit_is413AndLeavesNoTempFile() throws Exception {
        String model = created("cal-big");
        byte[] big = SUM_LINE.repeat(5 * 1024 * 1024 / SUM_LINE.length() + 1).getBytes(StandardCharsets.UTF_8);
        admin.post().uri("/api/v1/models/{m}/calibration-sets", model)
                .body(BodyInserters.fromMultipartData(calibration(big).build()))
                .exchange().expectStatus().isEqualTo(413);
        assertThat(tempFiles()).isEmpty();
        assertThat(calibrationSets(model)).isEmpty();
    }

    @Test
    void calibrationLineOverTheLineCap_is400AndLeavesNoTempFile() throws Exception {
        String model = created("cal-line");
        // one line of 300 KB (the cap is 256 KB), far under the size limit
        String line = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],\"id\":\""
                + "a".repeat(300 * 1024) + "\"}\n";
        admin.post().uri("/api/v1/models/{m}/calibration-sets", model)
                .body(BodyInserters.fromMultipartData(calibration((SUM_LINE + line).getBytes(StandardCharsets.UTF_8)).build()))
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("line 2 is longer than"));
        assertThat(tempFiles()).isEmpty();
        assertThat(calibrationSets(model)).isEmpty();
    }

    @Test
    void calibrationLineNotAV2Request_is400AndLeavesNoTempFile() throws Exception {
        String model = created("cal-bad");
        admin.post().uri("/api/v1/models/{m}/calibration-sets", model)
                .body(BodyInserters.fromMultipartData(calibration((SUM_LINE + "{not json\n").getBytes(StandardCharsets.UTF_8)).build()))
                .exchange().expectStatus().isBadRequest();
        assertThat(tempFiles()).isEmpty();
        assertThat(calibrationSets(model)).isEmpty();
    }

    @Test
    void calibrationSetsAreStoredInTheRegistryListedAndDeletable() throws Exception {
        String model = created("cal-crud");
        byte[] lines = SUM_LINE.repeat(3).getBytes(StandardCharsets.UTF_8);
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(lines));
        JsonNode set = admin.post().uri("/api/v1/models/{m}/calibration-sets", model)
                .body(BodyInserters.fromMultipartData(calibration(lines).build()))
                .exchange().expectStatus().isCreated().expectBody(JsonNode.class).returnResult().getResponseBody();
        String id = set.get("uploadId").asString();
        assertThat(set.get("samples").asInt()).isEqualTo(3);
        assertThat(set.get("sha256").asString()).isEqualTo(hex);
        // the bytes are in the database's artifact store, which every replica reads
        assertThat(jdbc().queryForObject("select count(*) from artifact where sha256 = ?", Long.class, hex)).isEqualTo(1L);
        assertThat(calibrationSets(model)).extracting(n -> n.get("uploadId").asString()).containsExactly(id);

        MultipartBodyBuilder wrong = calibration(lines);
        wrong.part("sha256", "f".repeat(64));
        admin.post().uri("/api/v1/models/{m}/calibration-sets", model).body(BodyInserters.fromMultipartData(wrong.build()))
                .exchange().expectStatus().isEqualTo(422);

        admin.delete().uri("/api/v1/models/{m}/calibration-sets/{id}", model, id).exchange().expectStatus().isNoContent();
        assertThat(calibrationSets(model)).isEmpty();
        assertThat(jdbc().queryForObject("select count(*) from artifact where sha256 = ?", Long.class, hex)).isEqualTo(0L);
        admin.delete().uri("/api/v1/models/{m}/calibration-sets/{id}", model, id).exchange().expectStatus().isNotFound();
        assertThat(tempFiles()).isEmpty();
    }

    private String created(String prefix) {
        String model = unique(prefix);
        admin.post().uri("/api/v1/models").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", model)).exchange().expectStatus().isCreated();
        return model;
    }

    private List<JsonNode> calibrationSets(String model) {
        JsonNode list = admin.get().uri("/api/v1/models/{m}/calibration-sets", model).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        return list.valueStream().toList();
    }

    private void assertNoVersionsAndNoTempFiles(String model) throws IOException {
        admin.get().uri("/api/v1/models/{m}", model).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.versions.length()").isEqualTo(0);
        awaitTrue(() -> tempFiles().isEmpty(), Duration.ofSeconds(5));
        assertThat(tempFiles()).isEmpty();
    }

    /**
     * Upload files in the upload directory (tests run one at a time, so any there is this test's;
     * compression jobs of other tests may still write their own files there).
     */
    static List<Path> tempFiles() {
        try (Stream<Path> files = Files.list(dataDir().resolve("uploads"))) {
            return files.filter(p -> p.getFileName().toString().startsWith("upload-")
                    || p.getFileName().toString().startsWith("calibration-")).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration limit) {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < end) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static MultipartBodyBuilder file(byte[] bytes, Map<String, String> headers) {
        MultipartBodyBuilder parts = new MultipartBodyBuilder();
        MultipartBodyBuilder.PartBuilder part = parts.part("file", resource(bytes, "model.onnx"))
                .contentType(MediaType.APPLICATION_OCTET_STREAM);
        if (headers != null) {
            headers.forEach(part::header);
        }
        return parts;
    }

    private static MultipartBodyBuilder calibration(byte[] bytes) {
        MultipartBodyBuilder parts = new MultipartBodyBuilder();
        parts.part("file", resource(bytes, "calibration.jsonl"));
        return parts;
    }

    private static ByteArrayResource resource(byte[] bytes, String name) {
        return new ByteArrayResource(bytes) {
            @Override
            public String getFilename() {
                return name;
            }
        };
    }
}
