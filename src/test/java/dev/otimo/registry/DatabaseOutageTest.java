package dev.otimo.registry;

import dev.otimo.OtimoApplication;
import dev.otimo.support.OwnNettyResources;
import dev.otimo.support.ServerTest;
import dev.otimo.support.TcpProxy;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry database goes away under a running server (its PostgreSQL reached through a relay
 * that is then cut): the admin API answers 503 with {@code Retry-After} within 2 s, inference and
 * readiness carry on, and everything works again once the database is back, without a restart.
 */
class DatabaseOutageTest {

    static final String SCHEMA = "otimo_outage_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String AUTH = "Basic " + Base64.getEncoder().encodeToString("admin:outage".getBytes(StandardCharsets.UTF_8));
    static final String SUM = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]},"
            + "{\"name\":\"b\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[10,20,30,40]}]}";

    static TcpProxy proxy;
    static ConfigurableApplicationContext server;
    static Path dataDir;
    static String base;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        proxy = new TcpProxy(5432);
        dataDir = Files.createTempDirectory("otimo-outage-");
        server = new SpringApplicationBuilder(OtimoApplication.class)
                .initializers(new OwnNettyResources())
                .run("--server.port=0",
                        "--spring.datasource.url=jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test?currentSchema=" + SCHEMA,
                        "--spring.datasource.username=" + ServerTest.PG_USER, "--spring.datasource.password=",
                        "--spring.flyway.schemas=" + SCHEMA, "--spring.flyway.create-schemas=true",
                        "--otimo.data-dir=" + dataDir, "--otimo.admin.password=outage", "--otimo.demo.enabled=false",
                        "--otimo.runtime.intra-op-threads=1", "--otimo.cluster.reconcile-interval=1s");
        base = "http://127.0.0.1:" + ((WebServerApplicationContext) server).getWebServer().getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        try (Connection c = DriverManager.getConnection(ServerTest.PG_URL, ServerTest.PG_USER, "")) {
            c.createStatement().execute("drop schema if exists " + SCHEMA + " cascade");
        }
    }

    @Test
    void adminAnswers503WithinTwoSecondsWhileInferenceAndReadinessCarryOnAndAllRecovers() throws Exception {
        assertThat(send("POST", "/api/v1/models", "{\"name\":\"sum\"}").statusCode()).isEqualTo(201);
        assertThat(upload("sum", TestModels.sumAndScale()).statusCode()).isEqualTo(201);
        assertThat(send("PUT", "/api/v1/models/sum/versions/1/deployment", "{}").statusCode()).isEqualTo(200);
        assertThat(send("POST", "/v2/models/sum/infer", SUM).statusCode()).isEqualTo(200);

        proxy.cut();
        for (int i = 0; i < 6; i++) {
            for (String[] call : new String[][] {{"GET", "/api/v1/models", null}, {"POST", "/api/v1/models", "{\"name\":\"during\"}"},
                    {"GET", "/api/v1/models/sum/versions/1", null}, {"GET", "/api/v1/audit", null}}) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = send(call[0], call[1], call[2]);
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertThat(r.statusCode()).as("%s %s during the outage: %s", call[0], call[1], r.body()).isEqualTo(503);
                assertThat(r.headers().firstValue("Retry-After")).as(call[1]).isPresent();
                assertThat(JSON.readTree(r.body()).get("error").asString()).contains("registry database");
                assertThat(took).as("%s %s answered after %s", call[0], call[1], took).isLessThan(Duration.ofSeconds(2));
            }
            // serving never touches the database
            HttpResponse<String> inferred = send("POST", "/v2/models/sum/infer", SUM);
            assertThat(inferred.statusCode()).as(inferred.body()).isEqualTo(200);
            assertThat(send("GET", "/v2/health/ready", null).statusCode()).isEqualTo(200);
            assertThat(send("GET", "/actuator/health/readiness", null).statusCode()).isEqualTo(200);
        }
        // the periodic reconcile failed meanwhile and left the deployment alone
        assertThat(send("POST", "/v2/models/sum/infer", SUM).statusCode()).isEqualTo(200);

        proxy.restore();
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int status = 0;
        while (System.nanoTime() < end && (status = send("GET", "/api/v1/models", null).statusCode()) != 200) {
            Thread.sleep(200);
        }
        assertThat(status).as("the admin API after the database came back").isEqualTo(200);
        assertThat(send("POST", "/api/v1/models", "{\"name\":\"after\"}").statusCode()).isEqualTo(201);
        JsonNode models = JSON.readTree(send("GET", "/api/v1/models", null).body());
        assertThat(models.valueStream().map(m -> m.get("name").asString())).containsExactlyInAnyOrder("sum", "after");
    }

    static HttpResponse<String> send(String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", AUTH);
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> upload(String model, byte[] onnx) throws Exception {
        String boundary = "outageboundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.onnx\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(onnx);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/models/" + model + "/versions"))
                .header("Authorization", AUTH).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    }
}
