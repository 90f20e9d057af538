package dev.otimo.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.otimo.support.OwnNettyResources;
import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server with everything locked: inference needs an API key, the admin API takes only Bearer JWTs
 * from the configured issuer (Basic turned off), and one origin may call from the browser. The
 * issuer is a small HTTP server in this test publishing its OpenID configuration and signing keys.
 */
@TestPropertySource(properties = {
        "otimo.security.api-keys.required=true",
        "otimo.security.basic.enabled=false",
        "otimo.security.cors.allowed-origins=https://console.example"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@ContextConfiguration(initializers = OwnNettyResources.class)
@ExtendWith(OutputCaptureExtension.class)
class LockedDownServerTest extends ServerTest {

    private static final String ALLOWED_ORIGIN = "https://console.example";
    private static final RSAKey SIGNING = rsaKey("issuer-key");
    private static final RSAKey STRANGER = rsaKey("stranger-key");
    private static final HttpServer ISSUER = issuer();
    private static final String ISSUER_URI = "http://127.0.0.1:" + ISSUER.getAddress().getPort();
    private static final String REQUEST = """
            {"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
                        {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [1, 1, 1, 1]}]}""";

    @DynamicPropertySource
    static void jwtIssuer(DynamicPropertyRegistry registry) {
        registry.add("otimo.security.jwt.issuer-uri", () -> ISSUER_URI);
    }

    @BeforeEach
    @Override
    protected void clients() {
        super.clients();
        admin = http.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token(SIGNING, ISSUER_URI, 300)).build();
    }

    @Test
    void inferenceWithoutKeyIs401() {
        String model = servedModel();
        infer(model, REQUEST).expectStatus().isUnauthorized().expectBody().jsonPath("$.error")
                .value(e -> assertThat((String) e).contains("X-Api-Key"));
        http.post().uri("/v2/models/{m}/infer", "no-such-model").contentType(MediaType.APPLICATION_JSON).bodyValue(REQUEST)
                .exchange().expectStatus().isUnauthorized();
    }

    @Test
    void outcomesFollowTheSameApiKeyRuleAsInference() {
        String model = servedModel();
        String outcome = "{\"id\": \"r1\", \"label\": 1}";
        http.post().uri("/v2/models/{m}/outcomes", model).contentType(MediaType.APPLICATION_JSON).bodyValue(outcome)
                .exchange().expectStatus().isUnauthorized().expectBody().jsonPath("$.error")
                .value(e -> assertThat((String) e).contains("X-Api-Key"));
        http.post().uri("/v2/models/{m}/outcomes", model).contentType(MediaType.APPLICATION_JSON)
                .header(ApiKeyVerifier.HEADER, createKey()).bodyValue(outcome).exchange().expectStatus().isAccepted()
                .expectBody().jsonPath("$.unknown").isEqualTo(1);
    }

    @Test
    void inferenceWithWrongKeyIs401() {
        String model = servedModel();
        inferWithKey(model, "otimo_" + "A".repeat(43)).expectStatus().isUnauthorized().expectBody().jsonPath("$.error").isNotEmpty();
        inferWithKey(model, createKey() + "x").expectStatus().isUnauthorized();
    }

    @Test
    void inferenceWithValidKeyIs200(CapturedOutput output) {
        String model = servedModel();
        String key = createKey();
        inferWithKey(model, key).expectStatus().isOk().expectBody().jsonPath("$.outputs[0].data[0]").isEqualTo(2.0);
        http.post().uri("/v2/models/{m}/versions/1/infer", model).contentType(MediaType.APPLICATION_JSON)
                .header(ApiKeyVerifier.HEADER, key).bodyValue(REQUEST).exchange().expectStatus().isOk();
        assertThat(output.getAll()).doesNotContain(key);
    }

    @Test
    void deletedKeyIsRefusedFromThenOn() {
        String model = servedModel();
        JsonNode created = admin.post().uri("/api/v1/api-keys").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", unique("revoked"))).exchange().expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        String key = created.get("key").asString();
        inferWithKey(model, key).expectStatus().isOk();
        admin.delete().uri("/api/v1/api-keys/{id}", created.get("id").asLong()).exchange().expectStatus().isNoContent();
        inferWithKey(model, key).expectStatus().isUnauthorized();
    }

    @Test
    void healthAndMetadataNeedNoKey() {
        String model = servedModel();
        http.get().uri("/v2/health/live").exchange().expectStatus().isOk();
        http.get().uri("/v2/health/ready").exchange().expectStatus().isOk();
        http.get().uri("/v2").exchange().expectStatus().isOk();
        http.get().uri("/v2/models/{m}", model).exchange().expectStatus().isOk();
        http.get().uri("/v2/models/{m}/ready", model).exchange().expectStatus().isOk();
        http.get().uri("/v2/models/{m}/versions/1/ready", model).exchange().expectStatus().isOk();
        http.get().uri("/actuator/health").exchange().expectStatus().isOk();
    }

    @Test
    void adminAcceptsJwtFromTheConfiguredIssuer() {
        admin.get().uri("/api/v1/models").exchange().expectStatus().isOk();
    }

    @Test
    void adminRefusesJwtSignedWithAnotherKey() {
        withBearer(token(STRANGER, ISSUER_URI, 300)).expectStatus().isUnauthorized().expectBody().jsonPath("$.error").isNotEmpty();
    }

    @Test
    void adminRefusesExpiredJwt() {
        withBearer(token(SIGNING, ISSUER_URI, -600)).expectStatus().isUnauthorized();
    }

    @Test
    void adminRefusesJwtFromAnotherIssuer() {
        withBearer(token(SIGNING, "https://elsewhere.example", 300)).expectStatus().isUnauthorized();
    }

    @Test
    void basicIsRefusedWhenTurnedOff() {
        http.get().uri("/api/v1/models").header(HttpHeaders.AUTHORIZATION, "Basic "
                        + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .exchange().expectStatus().isUnauthorized()
                .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"otimo\"");
    }

    @Test
    void configuredOriginMayCallFromTheBrowser() {
        http.method(HttpMethod.OPTIONS).uri("/api/v1/models").header(HttpHeaders.ORIGIN, ALLOWED_ORIGIN)
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "GET")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "authorization").exchange()
                .expectStatus().isOk().expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, ALLOWED_ORIGIN);
        admin.get().uri("/api/v1/models").header(HttpHeaders.ORIGIN, ALLOWED_ORIGIN).exchange()
                .expectStatus().isOk().expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, ALLOWED_ORIGIN);
        String model = servedModel();
        http.post().uri("/v2/models/{m}/infer", model).header(HttpHeaders.ORIGIN, ALLOWED_ORIGIN)
                .header(ApiKeyVerifier.HEADER, createKey()).contentType(MediaType.APPLICATION_JSON).bodyValue(REQUEST)
                .exchange().expectStatus().isOk().expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, ALLOWED_ORIGIN);
    }

    @Test
    void configuredOriginMayChangeThingsCrossSiteOtherOriginsMayNot() {
        admin.post().uri("/api/v1/models").header(HttpHeaders.ORIGIN, ALLOWED_ORIGIN).header("Sec-Fetch-Site", "cross-site")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", unique("from-console")))
                .exchange().expectStatus().isCreated();
        admin.post().uri("/api/v1/models").header(HttpHeaders.ORIGIN, "https://evil.example").header("Sec-Fetch-Site", "cross-site")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", unique("forged")))
                .exchange().expectStatus().isForbidden();
        // fetch metadata alone (no Origin, so CORS has nothing to check) is enough to refuse
        admin.post().uri("/api/v1/models").header("Sec-Fetch-Site", "same-site")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", unique("forged")))
                .exchange().expectStatus().isForbidden().expectBody().jsonPath("$.error")
                .value(e -> assertThat((String) e).startsWith("cross-site request refused"));
    }

    @Test
    void otherOriginsAreRefused() {
        http.method(HttpMethod.OPTIONS).uri("/api/v1/models").header(HttpHeaders.ORIGIN, "https://evil.example")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "DELETE").exchange()
                .expectStatus().isForbidden().expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
        http.method(HttpMethod.OPTIONS).uri("/v2/models/x/infer").header(HttpHeaders.ORIGIN, "https://evil.example")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST").exchange()
                .expectStatus().isForbidden().expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
    }

    private String servedModel() {
        String model = unique("locked");
        serve(model, TestModels.sumAndScale());
        return model;
    }

    private String createKey() {
        return admin.post().uri("/api/v1/api-keys").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", unique("key"))).exchange().expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("key").asString();
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec inferWithKey(String model, String key) {
        return http.post().uri("/v2/models/{m}/infer", model).contentType(MediaType.APPLICATION_JSON)
                .header(ApiKeyVerifier.HEADER, key).bodyValue(REQUEST).exchange();
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec withBearer(String token) {
        return http.get().uri("/api/v1/models").header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange();
    }

    private static String token(RSAKey key, String issuer, long validSeconds) {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).subject("operator")
                .claim("roles", java.util.List.of("otimo-admin"))
                .issueTime(Date.from(now.minusSeconds(Math.max(0, -validSeconds) + 60)))
                .expirationTime(Date.from(now.plusSeconds(validSeconds))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private static RSAKey rsaKey(String id) {
        try {
            return new RSAKeyGenerator(2048).keyID(id).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpServer issuer() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            serve(server, "/.well-known/openid-configuration",
                    "{\"issuer\": \"" + base + "\", \"jwks_uri\": \"" + base + "/jwks\", "
                            + "\"subject_types_supported\": [\"public\"], \"id_token_signing_alg_values_supported\": [\"RS256\"]}");
            serve(server, "/jwks", new JWKSet(SIGNING.toPublicJWK()).toString());
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void serve(HttpServer server, String path, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        server.createContext(path, exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
    }
}
