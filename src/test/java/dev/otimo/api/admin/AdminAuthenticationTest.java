package dev.otimo.api.admin;

import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every admin endpoint, as the server maps them (so endpoints added later are covered too), refuses
 * requests without credentials or with wrong ones, and such requests change nothing.
 */
class AdminAuthenticationTest extends ServerTest {

    @Autowired
    List<RequestMappingHandlerMapping> mappings;

    private record Endpoint(HttpMethod method, String pattern, Set<MediaType> consumes) {

        @Override
        public String toString() {
            return method + " " + pattern;
        }
    }

    @Test
    void everyAdminEndpointRefusesMissingOrWrongCredentialsAndChangesNothing() {
        String model = unique("guarded");
        int version = serve(model, TestModels.sumAndScale());
        JsonNode key = admin.post().uri("/api/v1/api-keys").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", unique("guarded-key"))).exchange().expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        String before = snapshot(model);

        List<Endpoint> endpoints = adminEndpoints();
        assertThat(endpoints).extracting(Endpoint::toString).contains(
                "POST /api/v1/models", "GET /api/v1/models", "GET /api/v1/models/{model}", "DELETE /api/v1/models/{model}",
                "POST /api/v1/models/{model}/versions", "GET /api/v1/models/{model}/versions/{version}",
                "DELETE /api/v1/models/{model}/versions/{version}", "GET /api/v1/models/{model}/versions/{version}/artifact",
                "PUT /api/v1/models/{model}/versions/{version}/deployment", "GET /api/v1/models/{model}/versions/{version}/deployment",
                "DELETE /api/v1/models/{model}/versions/{version}/deployment",
                "POST /api/v1/api-keys", "GET /api/v1/api-keys", "DELETE /api/v1/api-keys/{id}");

        Map<String, String> variables = Map.of("model", model, "version", Integer.toString(version),
                "id", key.get("id").asString());
        String newModel = unique("intruder");
        List<String> admitted = new ArrayList<>();
        for (Endpoint endpoint : endpoints) {
            String path = expand(endpoint.pattern(), variables);
            for (Consumer<HttpHeaders> credentials : List.<Consumer<HttpHeaders>>of(
                    h -> { },
                    h -> h.setBasicAuth("admin", "wrong-password"),
                    h -> h.setBasicAuth("someone", ADMIN_PASSWORD),
                    h -> h.setBearerAuth("not.a.jwt"))) {
                int status = request(endpoint, path, newModel, credentials).expectBody().returnResult().getStatus().value();
                if (status != 401) {
                    admitted.add(endpoint + " -> " + status);
                }
            }
        }
        assertThat(admitted).as("endpoints that did not answer 401").isEmpty();
        assertThat(snapshot(model)).isEqualTo(before);
        admin.get().uri("/api/v1/models/{m}", newModel).exchange().expectStatus().isNotFound();
    }

    @Test
    void crossOriginCallsGetNoCorsHeadersByDefault() {
        http.method(HttpMethod.OPTIONS).uri("/v2/models/any/infer").header(HttpHeaders.ORIGIN, "https://evil.example")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST").exchange()
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
        http.method(HttpMethod.OPTIONS).uri("/api/v1/models").header(HttpHeaders.ORIGIN, "https://evil.example")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "GET").exchange()
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
        admin.get().uri("/api/v1/models").header(HttpHeaders.ORIGIN, "https://evil.example").exchange()
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
    }

    /** Everything an authenticated admin can read about the registry and the keys. */
    private String snapshot(String model) {
        return body(admin.get().uri("/api/v1/models")) + body(admin.get().uri("/api/v1/models/{m}", model))
                + body(admin.get().uri("/api/v1/api-keys"));
    }

    private static String body(WebTestClient.RequestHeadersSpec<?> request) {
        byte[] content = request.exchange().expectStatus().isOk().expectBody().returnResult().getResponseBodyContent();
        return new String(content, StandardCharsets.UTF_8);
    }

    private List<Endpoint> adminEndpoints() {
        Set<String> seen = new TreeSet<>();
        List<Endpoint> endpoints = new ArrayList<>();
        for (RequestMappingHandlerMapping mapping : mappings) {
            for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
                Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                for (PathPattern pattern : info.getPatternsCondition().getPatterns()) {
                    if (!pattern.getPatternString().startsWith("/api/")) {
                        continue;
                    }
                    for (RequestMethod method : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
                        if (seen.add(method + " " + pattern.getPatternString())) {
                            endpoints.add(new Endpoint(method.asHttpMethod(), pattern.getPatternString(),
                                    info.getConsumesCondition().getConsumableMediaTypes()));
                        }
                    }
                }
            }
        }
        return endpoints;
    }

    /** A request that would change something if it were let through. */
    private WebTestClient.ResponseSpec request(Endpoint endpoint, String path, String newModel, Consumer<HttpHeaders> credentials) {
        WebTestClient.RequestBodySpec request = http.method(endpoint.method()).uri(path).headers(credentials);
        if (endpoint.method() == HttpMethod.GET || endpoint.method() == HttpMethod.DELETE) {
            return request.exchange();
        }
        if (endpoint.consumes().contains(MediaType.MULTIPART_FORM_DATA)) {
            return request.body(BodyInserters.fromMultipartData(multipart(TestModels.sumAndScale()))).exchange();
        }
        Map<String, Object> body = endpoint.pattern().endsWith("/deployment")
                ? Map.of("instances", 2, "batching", Map.of("maxBatchSize", 4))
                : Map.of("name", newModel, "description", "written without credentials");
        return request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private static String expand(String pattern, Map<String, String> variables) {
        String path = pattern;
        for (Map.Entry<String, String> v : variables.entrySet()) {
            path = path.replace("{" + v.getKey() + "}", v.getValue());
        }
        return path.replaceAll("\\{[^/]+}", "1");
    }
}
