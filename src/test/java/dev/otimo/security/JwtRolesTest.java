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
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bearer JWTs need a role, not only a valid signature: the admin role may do everything, the reader
 * role may only read the admin API, a token with neither is refused (403). Signature (keys from a
 * JWK set this test publishes), expiry, issuer ({@code otimo.security.jwt.issuer}) and audience are
 * all checked (401 when wrong).
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@ContextConfiguration(initializers = OwnNettyResources.class)
class JwtRolesTest extends ServerTest {

    private static final String ISSUER = "https://login.example/realms/otimo";
    private static final String AUDIENCE = "otimo-admin-api";
    private static final RSAKey SIGNING = rsaKey("signing-key");
    private static final RSAKey STRANGER = rsaKey("stranger-key");
    private static final HttpServer JWKS = jwkSet();

    @DynamicPropertySource
    static void jwt(DynamicPropertyRegistry registry) {
        registry.add("otimo.security.jwt.jwk-set-uri", () -> "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/jwks");
        registry.add("otimo.security.jwt.issuer", () -> ISSUER);
        registry.add("otimo.security.jwt.audience", () -> AUDIENCE);
    }

    private static String token(Consumer<JWTClaimsSet.Builder> claims) {
        return token(SIGNING, claims);
    }

    /** A token valid for 5 minutes from the expected issuer for the expected audience, then {@code claims} applied. */
    private static String token(RSAKey key, Consumer<JWTClaimsSet.Builder> claims) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("operator")
                .issueTime(Date.from(now.minusSeconds(60))).expirationTime(Date.from(now.plusSeconds(300)));
        claims.accept(builder);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), builder.build());
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private static Consumer<JWTClaimsSet.Builder> roles(Object roles) {
        return c -> c.claim("roles", roles);
    }

    private WebTestClient as(String token) {
        return http.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token).build();
    }

    private static int status(WebTestClient.RequestHeadersSpec<?> request) {
        return request.exchange().expectBody().returnResult().getStatus().value();
    }

    private int createModel(WebTestClient client) {
        return status(client.post().uri("/api/v1/models").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", unique("jwt-made"))));
    }

    private int listModels(WebTestClient client) {
        return status(client.get().uri("/api/v1/models"));
    }

    @Test
    void adminRoleTokenMayCreateAModelWhereTheSameTokenWithoutTheRoleMayNot() {
        WebTestClient operator = as(token(roles(List.of("otimo-admin"))));
        assertThat(createModel(operator)).isEqualTo(201);
        assertThat(listModels(operator)).isEqualTo(200);
        assertThat(status(operator.get().uri("/actuator/metrics"))).isEqualTo(200);
        assertThat(createModel(as(token(c -> { })))).isEqualTo(403);
    }

    @Test
    void readerRoleTokenMayReadButNotWrite() {
        WebTestClient reader = as(token(roles(List.of("otimo-reader"))));
        assertThat(listModels(reader)).isEqualTo(200);
        assertThat(createModel(reader)).isEqualTo(403);
        // Basic as the admin user stays admin beside the tokens
        String model = unique("kept");
        admin.post().uri("/api/v1/models").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", model))
                .exchange().expectStatus().isCreated();
        assertThat(status(reader.delete().uri("/api/v1/models/{m}", model))).isEqualTo(403);
        assertThat(status(reader.post().uri("/api/v1/api-keys").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", unique("reader-key")))))
                .isEqualTo(403);
        // the actuator (but health, info and prometheus) is the admin's
        assertThat(status(reader.get().uri("/actuator/metrics"))).isEqualTo(403);
        assertThat(status(reader.get().uri("/actuator/health"))).isEqualTo(200);
        admin.get().uri("/api/v1/models/{m}", model).exchange().expectStatus().isOk();
    }

    @Test
    void tokenWithNoRoleIsForbidden() {
        WebTestClient nobody = as(token(c -> { }));
        reader403(nobody);
        WebTestClient otherRoles = as(token(roles(List.of("admin", "otimo-admin-not", "reader"))));
        reader403(otherRoles);
    }

    private void reader403(WebTestClient client) {
        client.get().uri("/api/v1/models").exchange().expectStatus().isForbidden()
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("access denied"));
        assertThat(createModel(client)).isEqualTo(403);
    }

    @Test
    void tokenForAnotherAudienceOrFromAnotherIssuerIsUnauthorized() {
        assertThat(listModels(as(token(c -> c.audience("someone-else").claim("roles", List.of("otimo-admin")))))).isEqualTo(401);
        assertThat(listModels(as(token(c -> c.issuer("https://elsewhere.example").claim("roles", List.of("otimo-admin"))))))
                .isEqualTo(401);
        assertThat(listModels(as(token(c -> c.issuer(null).claim("roles", List.of("otimo-admin")))))).isEqualTo(401);
    }

    @Test
    void expiredTokenOrOneSignedByAnotherKeyIsUnauthorizedWithABearerChallenge() {
        Instant now = Instant.now();
        String expired = token(c -> c.issueTime(Date.from(now.minusSeconds(3600))).expirationTime(Date.from(now.minusSeconds(600)))
                .claim("roles", List.of("otimo-admin")));
        String foreign = token(STRANGER, roles(List.of("otimo-admin")));
        for (String token : List.of(expired, foreign)) {
            // Bearer, never Basic: Basic would have the browser ask for and keep the admin's password
            as(token).get().uri("/api/v1/models").exchange().expectStatus().isUnauthorized()
                    .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"otimo\"");
        }
    }

    @Test
    void scopeStringAndScpArrayAndSpaceSeparatedRolesGrantRolesToo() {
        WebTestClient scoped = as(token(c -> c.claim("scope", "openid profile otimo-admin")));
        assertThat(createModel(scoped)).isEqualTo(201);
        WebTestClient scp = as(token(c -> c.claim("scp", List.of("otimo-reader"))));
        assertThat(listModels(scp)).isEqualTo(200);
        assertThat(createModel(scp)).isEqualTo(403);
        WebTestClient spaced = as(token(roles("viewer otimo-admin")));
        assertThat(createModel(spaced)).isEqualTo(201);
    }

    private static RSAKey rsaKey(String id) {
        try {
            return new RSAKeyGenerator(2048).keyID(id).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpServer jwkSet() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            byte[] body = new JWKSet(SIGNING.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            server.createContext("/jwks", exchange -> {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
