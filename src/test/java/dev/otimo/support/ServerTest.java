package dev.otimo.support;

import dev.otimo.security.ApiKeyVerifier;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.http.codec.ClientCodecConfigurer;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.http.codec.json.JacksonJsonEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.blockhound.BlockHound;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A running Otimo on a random port, its registry on the local PostgreSQL (database {@code test},
 * one fresh schema per test JVM), BlockHound watching the event loop. Tests share the context, so
 * each uses its own model names.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ServerTest {

    public static final String ADMIN_PASSWORD = "test-admin-password";
    /** The API key whose rate limit is 3 requests per second (stored by the tests that use it). */
    public static final String METERED_CLIENT = "metered-client";
    /** Models whose deployments time out after {@link #TIME_LIMIT}; each is used by one test only. */
    public static final List<String> TIME_LIMITED_MODELS = List.of("time-limited-a", "time-limited-b");
    public static final String TIME_LIMIT = "300ms";
    public static final String PG_URL = System.getProperty("otimo.test.pg-url", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String PG_USER = System.getProperty("otimo.test.pg-user", "postgres");
    public static final String SCHEMA = "otimo_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    /**
     * The tests' JSON mapper, also the one their HTTP clients decode answers with. The types the tests
     * read are built at class load: Jackson builds a type's first deserializer under a lock, and a client
     * event loop that met it held (several answers decoded at once) would park there.
     */
    protected static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path DATA_DIR;

    static {
        // the test's own HTTP client seeds multipart boundaries from SecureRandom on its event loop
        // static files (Swagger UI, the console) are looked up with Spring's blocking resource checks
        // an open circuit breaker turns half-open under a lock held for one compare-and-set
        // the rate limiter backs off for 1 ns (parkNanos) when two event loops race on its compare-and-set
        // Netty's adaptive buffer allocator takes a magazine's StampedLock for a few instructions when two
        // event loops free into or grow the same magazine (AdaptivePoolingAllocator, Netty 4.2)
        BlockHound.install(b -> b.allowBlockingCallsInside("org.springframework.util.MimeTypeUtils", "generateMultipartBoundary")
                .allowBlockingCallsInside("org.springframework.web.reactive.resource.PathResourceResolver", "getResource")
                .allowBlockingCallsInside("io.github.resilience4j.circuitbreaker.internal.CircuitBreakerStateMachine$OpenState",
                        "toHalfOpenState")
                .allowBlockingCallsInside("io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter", "compareAndSet")
                .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free")
                .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines"));
        for (Class<?> type : List.of(JsonNode.class, String.class, Map.class, List.class)) {
            JSON.readerFor(type);
        }
        try {
            DATA_DIR = Files.createTempDirectory("otimo-it-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, "")) {
                c.createStatement().execute("drop schema if exists " + SCHEMA + " cascade");
            } catch (Exception ignored) {
                // the database may already be gone at JVM exit
            }
        }));
    }

    @DynamicPropertySource
    static void registry(DynamicPropertyRegistry registry) {
        serverProperties(DATA_DIR).forEach((name, value) -> registry.add(name, () -> value));
    }

    /**
     * The settings of the test server; another replica on the same database runs with the same ones
     * and a data directory of its own. The periodic reconcile is off: tests see changes arrive by
     * notification (or trigger the reconcile themselves).
     */
    public static Map<String, Object> serverProperties(Path dataDir) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("spring.datasource.url", PG_URL + "?currentSchema=" + SCHEMA);
        p.put("spring.datasource.username", PG_USER);
        p.put("spring.datasource.password", "");
        p.put("spring.flyway.schemas", SCHEMA);
        p.put("spring.flyway.create-schemas", "true");
        p.put("otimo.data-dir", dataDir.toString());
        p.put("otimo.admin.password", ADMIN_PASSWORD);
        p.put("otimo.max-request-size", "4MB");
        p.put("otimo.max-upload-size", "8MB");
        p.put("otimo.demo.enabled", "false");
        p.put("otimo.runtime.intra-op-threads", "1");
        p.put("otimo.cluster.reconcile-interval", "0s");
        p.put("otimo.compression.evaluation-seconds", "1");
        // experiments are judged (concluded, promoted) twice a second instead of every ten
        p.put("otimo.experiments.check-interval", "500ms");
        p.put("otimo.compression.max-calibration-size", "4MB");
        p.put("otimo.compression.max-calibration-line", "256KB");
        // every request passes a rate limiter, high enough that only the metered client reaches it
        p.put("otimo.resilience.rate-limit-per-second", "100000");
        p.put("otimo.resilience.client-rate-limits." + METERED_CLIENT, "3");
        // the resilience tests' slow models, under these names, time out quickly
        for (String model : TIME_LIMITED_MODELS) {
            p.put("otimo.resilience.model-time-limits." + model, TIME_LIMIT);
        }
        return p;
    }

    /** The test server's data directory. */
    protected static Path dataDir() {
        return DATA_DIR;
    }

    @Value("${local.server.port}")
    protected int port;

    protected WebTestClient http;
    protected WebTestClient admin;

    @Autowired
    private JdbcTemplate registryDatabase;
    @Autowired
    private ApiKeyVerifier apiKeyVerifier;

    /** The registry's database (the test schema is on the search path). */
    protected JdbcTemplate jdbc() {
        return registryDatabase;
    }

    @BeforeEach
    protected void clients() {
        // One connection per request, so that no test depends on another's connection. Keep-alive has a
        // test of its own (KeepAliveTest: Reactor Netty 1.3.6 stalled reused connections, see pom.xml).
        http = WebTestClient.bindToServer(new ReactorClientHttpConnector(HttpClient.create(ConnectionProvider.newConnection())))
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(60)).codecs(ServerTest::testCodecs).build();
        admin = http.mutate().defaultHeader("Authorization", "Basic "
                + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes())).build();
    }

    /** Codecs of every test client: the warmed {@link #JSON} mapper, answers up to 64 MB. */
    public static void testCodecs(ClientCodecConfigurer codecs) {
        codecs.defaultCodecs().maxInMemorySize(64 << 20);
        codecs.defaultCodecs().jacksonJsonDecoder(new JacksonJsonDecoder(JSON));
        codecs.defaultCodecs().jacksonJsonEncoder(new JacksonJsonEncoder(JSON));
    }

    /**
     * Stores an API key with a value of the test's choosing (the admin API only issues generated
     * ones) and makes the server accept it at once.
     */
    protected void storeApiKey(String key) {
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        registryDatabase.update("insert into api_key (name, key_hash, created_at) values (?, ?, now()) on conflict do nothing",
                "test-" + hash.substring(0, 16), hash);
        apiKeyVerifier.refresh();
    }

    protected static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates the model (if needed), uploads the bytes, returns the new version number. */
    protected int upload(String model, byte[] onnx) {
        admin.post().uri("/api/v1/models").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", model, "description", "test")).exchange();
        EntityExchangeResult<byte[]> r = admin.post().uri("/api/v1/models/{m}/versions", model)
                .body(BodyInserters.fromMultipartData(multipart(onnx))).exchange().expectBody().returnResult();
        // the answer's body goes into the message: an upload refused now and then must say why
        String body = r.getResponseBody() == null ? "" : new String(r.getResponseBody(), java.nio.charset.StandardCharsets.UTF_8);
        org.assertj.core.api.Assertions.assertThat(r.getStatus().value()).as("upload of %d bytes answered %s", onnx.length, body)
                .isEqualTo(201);
        return JSON.readTree(body).get("version").asInt();
    }

    protected static org.springframework.util.MultiValueMap<String, org.springframework.http.HttpEntity<?>> multipart(byte[] bytes) {
        MultipartBodyBuilder parts = new MultipartBodyBuilder();
        parts.part("file", new ByteArrayResource(bytes) {
            @Override
            public String getFilename() {
                return "model.onnx";
            }
        }).contentType(MediaType.APPLICATION_OCTET_STREAM);
        return parts.build();
    }

    /** Uploads calibration lines (JSON v2 requests, one per line) for the model; returns the stored set. */
    protected JsonNode uploadCalibrationSet(String model, byte[] lines) {
        MultipartBodyBuilder parts = new MultipartBodyBuilder();
        parts.part("file", new ByteArrayResource(lines) {
            @Override
            public String getFilename() {
                return "calibration.jsonl";
            }
        });
        return admin.post().uri("/api/v1/models/{m}/calibration-sets", model)
                .body(BodyInserters.fromMultipartData(parts.build())).exchange().expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    /** Deploys with the given JSON body (null: defaults) and returns the deployment view. */
    protected JsonNode deploy(String model, int version, String body) {
        return admin.put().uri("/api/v1/models/{m}/versions/{v}/deployment", model, version)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body == null ? "{}" : body).exchange()
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    /** Uploads and deploys with defaults; returns the version. */
    protected int serve(String model, byte[] onnx) {
        int v = upload(model, onnx);
        deploy(model, v, null);
        return v;
    }

    protected WebTestClient.ResponseSpec infer(String model, String json) {
        return http.post().uri("/v2/models/{m}/infer", model).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json).exchange();
    }

    protected JsonNode inferOk(String model, String json) {
        return infer(model, json).expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    protected static JsonNode parse(byte[] body) {
        return JSON.readTree(body);
    }
}
