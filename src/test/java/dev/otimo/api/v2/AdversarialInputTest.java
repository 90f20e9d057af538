package dev.otimo.api.v2;

import dev.otimo.runtime.DataType;
import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile inference bodies over real HTTP: each gets a 4xx JSON error (never a 5xx or a dropped
 * connection), the server keeps serving, and its heap after the suite is within 10% of before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdversarialInputTest extends ServerTest {

    private static final String GOOD = """
            {"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
                        {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}""";

    private String model;
    private String bytesModel;
    private WebClient client;
    private long heapBefore;

    @BeforeAll
    void deployAndMeasure() {
        clients();
        model = unique("hostile");
        serve(model, TestModels.sumAndScale());
        bytesModel = unique("hostile-bytes");
        serve(bytesModel, TestModels.echo(DataType.BYTES));
        client = WebClient.builder().baseUrl("http://127.0.0.1:" + port).codecs(ServerTest::testCodecs)
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(ConnectionProvider.builder("hostile")
                        .maxConnections(32).build()).responseTimeout(Duration.ofSeconds(30))))
                .build();
        // one round of every hostile shape first, so what the heap holds after is not first-use caches
        send(List.of(DecoderAllocationTest.hugeDeclaredShapes(300), GOOD, deepJson(10_000)), 4).blockLast();
        heapBefore = heapAfterGc();
    }

    @AfterAll
    void serverServesAndHeapIsBack() {
        clients();
        inferOk(model, GOOD);
        long heapAfter = heapAfterGc();
        assertThat((double) heapAfter).as("heap after GC: %d bytes before the suite, %d after", heapBefore, heapAfter)
                .isLessThanOrEqualTo(heapBefore * 1.10);
    }

    /** Posts each body (JSON) with some concurrency; emits status and body of every answer. */
    private Flux<Answer> send(List<String> bodies, int concurrency) {
        return Flux.fromIterable(bodies).flatMap(body -> post(model, body.getBytes(StandardCharsets.UTF_8), null), concurrency);
    }

    private Mono<Answer> post(String target, byte[] body, Integer headerLength) {
        WebClient.RequestBodySpec spec = client.post().uri("/v2/models/{m}/infer", target)
                .contentType(headerLength == null ? MediaType.APPLICATION_JSON : MediaType.APPLICATION_OCTET_STREAM);
        if (headerLength != null) {
            spec = spec.header(InferenceController.HEADER_LENGTH, headerLength.toString());
        }
        return spec.bodyValue(body).exchangeToMono(r -> r.bodyToMono(byte[].class).defaultIfEmpty(new byte[0])
                .map(b -> new Answer(r.statusCode().value(), r.headers().contentType().orElse(null), b)));
    }

    private record Answer(int status, MediaType type, byte[] body) {
        String error() {
            JsonNode json = JSON.readTree(body);
            return json.get("error").asString();
        }
    }

    private static void assertRefused(Answer a, String fragment) {
        assertThat(a.status()).as("status of %s", new String(a.body(), StandardCharsets.UTF_8)).isBetween(400, 499);
        assertThat(a.type()).isNotNull();
        assertThat(a.type().isCompatibleWith(MediaType.APPLICATION_JSON)).isTrue();
        assertThat(a.error()).contains(fragment);
    }

    private static long heapAfterGc() {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    private static String deepJson(int depth) {
        return "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":" + "[".repeat(depth)
                + "1" + "]".repeat(depth) + "}]}";
    }

    @Test
    @Order(1)
    void twentyKilobyteRequestOfHugeDeclaredShapesIs400() {
        Answer a = post(model, DecoderAllocationTest.hugeDeclaredShapes(300).getBytes(StandardCharsets.UTF_8), null).block();
        // refused at its first input: the model takes a and b, not x0
        assertRefused(a, "unknown input 'x0'");
    }

    @Test
    @Order(2)
    void twentyKilobyteRequestWithTheModelsInputNamesIs400() {
        String named = DecoderAllocationTest.hugeDeclaredShapes(300).replace("\"x0\"", "\"a\"").replace("\"FP64\"", "\"FP32\"")
                .replace("[1048576]", "[262144,4]");
        Answer a = post(model, named.getBytes(StandardCharsets.UTF_8), null).block();
        assertRefused(a, "declares 1048576 elements");
    }

    @Test
    @Order(3)
    void burstOfAThousandTwentyKilobyteRequestsIsAll4xx() {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            bodies.add(DecoderAllocationTest.hugeDeclaredShapes(300));
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        send(bodies, 32).doOnNext(a -> statuses.merge(a.status(), 1, Integer::sum)).blockLast(Duration.ofMinutes(3));
        assertThat(statuses).containsOnlyKeys(400);
        assertThat(statuses.get(400)).isEqualTo(1000);
        inferOk(model, GOOD);
    }

    @Test
    @Order(4)
    void manyInputsAreRefusedAtTheFirstOneTheModelDoesNotTake() {
        StringBuilder json = new StringBuilder("{\"inputs\":[");
        for (int i = 0; i < 5000; i++) {
            json.append(i == 0 ? "" : ",").append("{\"name\":\"a\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}");
        }
        Answer a = post(model, json.append("]}").toString().getBytes(StandardCharsets.UTF_8), null).block();
        assertRefused(a, "more inputs than the model's 2");
    }

    @Test
    @Order(5)
    void hugeDeclaredShapeWithLittleBinaryDataIs400() {
        String header = "{\"inputs\":[{\"name\":\"a\",\"shape\":[100000000,4],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":16}},"
                + "{\"name\":\"b\",\"shape\":[1,4],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":16}}]}";
        assertRefused(post(model, BinaryExtensionTest.binaryRequest(header, new byte[32]), header.length()).block(),
                "needs 1600000000 bytes");
    }

    @Test
    @Order(6)
    void bytesTensorOfEmptyElementsIsServedOrRefusedNeverFatal() {
        int rows = 100_000;
        StringBuilder json = new StringBuilder("{\"inputs\":[{\"name\":\"x\",\"shape\":[" + rows + ",3],\"datatype\":\"BYTES\",\"data\":[");
        for (int i = 0; i < rows * 3; i++) {
            json.append(i == 0 ? "\"\"" : ",\"\"");
        }
        Answer ok = post(bytesModel, json.append("]}]}").toString().getBytes(StandardCharsets.UTF_8), null).block();
        assertThat(ok.status()).isEqualTo(200);
        String declared = "{\"inputs\":[{\"name\":\"x\",\"shape\":[100000000,3],\"datatype\":\"BYTES\",\"data\":[\"\",\"\",\"\"]}]}";
        assertRefused(post(bytesModel, declared.getBytes(StandardCharsets.UTF_8), null).block(), "declares 300000000 elements");
    }

    @Test
    @Order(7)
    void deeplyNestedJsonIs400() {
        assertRefused(post(model, deepJson(100_000).getBytes(StandardCharsets.UTF_8), null).block(), "malformed JSON");
        String deepParameters = "{\"parameters\":" + "{\"p\":".repeat(50_000) + "1" + "}".repeat(50_000) + ",\"inputs\":[]}";
        assertRefused(post(model, deepParameters.getBytes(StandardCharsets.UTF_8), null).block(), "malformed JSON");
    }

    /**
     * 10,000 seeded mutations of valid JSON and binary requests (bytes flipped, cut, repeated or
     * inserted): every answer is a 200 or a 4xx with a JSON error, never a 5xx or a dropped connection.
     */
    @Test
    @Order(8)
    void tenThousandSeededMutationsAreAnsweredWithoutA5xx() {
        Random random = new Random(12L);
        byte[] json = GOOD.getBytes(StandardCharsets.UTF_8);
        String header = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,4],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":16}},"
                + "{\"name\":\"b\",\"shape\":[1,4],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":16}}]}";
        byte[] binary = BinaryExtensionTest.binaryRequest(header, new byte[32]);
        List<Mono<Answer>> requests = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            boolean isBinary = i % 4 == 3;
            byte[] mutated = mutate(isBinary ? binary : json, random);
            Integer headerLength = isBinary ? Math.max(0, header.length() + random.nextInt(9) - 4) : null;
            requests.add(post(model, mutated, headerLength));
        }
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        AtomicInteger notJson = new AtomicInteger();
        Flux.fromIterable(requests).flatMap(m -> m, 16).doOnNext(a -> {
            statuses.merge(a.status(), 1, Integer::sum);
            if (a.status() != 200 && (a.type() == null || !a.type().isCompatibleWith(MediaType.APPLICATION_JSON) || a.error() == null)) {
                notJson.incrementAndGet();
            }
        }).blockLast(Duration.ofMinutes(5));
        assertThat(statuses.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(10_000);
        assertThat(statuses.keySet()).as("statuses %s", statuses).allMatch(s -> s == 200 || (s >= 400 && s < 500 && s != 429));
        assertThat(statuses).containsKey(400);
        assertThat(notJson.get()).isZero();
    }

    private static byte[] mutate(byte[] body, Random random) {
        byte[] b = body.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = b.length == 0 ? 0 : random.nextInt(b.length);
            switch (random.nextInt(5)) {
                case 0 -> {
                    if (b.length > 0) {
                        b[at] = (byte) random.nextInt(256);
                    }
                }
                case 1 -> b = java.util.Arrays.copyOf(b, at);
                case 2 -> {
                    byte[] insert = "[]{}\",:-9e1000000000NaN".substring(random.nextInt(20)).getBytes(StandardCharsets.UTF_8);
                    byte[] out = new byte[b.length + insert.length];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(insert, 0, out, at, insert.length);
                    System.arraycopy(b, at, out, at + insert.length, b.length - at);
                    b = out;
                }
                case 3 -> {
                    int len = Math.min(b.length - at, 1 + random.nextInt(30));
                    byte[] out = new byte[b.length + len];
                    System.arraycopy(b, 0, out, 0, at + len);
                    System.arraycopy(b, at, out, at + len, b.length - at);
                    b = out;
                }
                default -> {
                    if (b.length > 1) {
                        int from = random.nextInt(b.length);
                        byte t = b[at];
                        b[at] = b[from];
                        b[from] = t;
                    }
                }
            }
        }
        return b;
    }
}
