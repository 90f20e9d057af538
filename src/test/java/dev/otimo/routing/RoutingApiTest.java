package dev.otimo.routing;

import dev.otimo.runtime.DataType;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The routing and audit endpoints: validation, authentication, the view they return, the audit trail. */
class RoutingApiTest extends RoutedServerTest {

    private static final String EIGHTY_TWENTY = "{\"variants\": [{\"version\": 1, \"weight\": 80}, {\"version\": 2, \"weight\": 20}]}";

    private String twoDeployedVersions(String prefix) {
        String model = unique(prefix);
        serve(model, TestModels.echo(DataType.FP32));
        serve(model, TestModels.echo(DataType.FP32));
        return model;
    }

    private void expectError(WebTestClient.ResponseSpec response, int status, String fragment) {
        response.expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains(fragment));
    }

    @Test
    void putReturnsTheStoredPolicy() {
        String model = twoDeployedVersions("put");
        JsonNode view = route(model, """
                {"variants": [{"version": 1, "weight": 90}, {"version": 2, "weight": 10}], "stickyHeader": "X-Session",
                 "shadow": {"version": 2, "percent": 5}, "guard": {"maxErrorRate": 0.1, "maxP99Millis": 500, "windowSeconds": 30}}""");
        assertThat(view.get("model").asString()).isEqualTo(model);
        assertThat(view.get("variants").get(0).get("weight").asInt()).isEqualTo(90);
        assertThat(view.get("stickyHeader").asString()).isEqualTo("X-Session");
        assertThat(view.get("shadow").get("percent").asDouble()).isEqualTo(5.0);
        assertThat(view.get("guard").get("maxP99Millis").asLong()).isEqualTo(500);
        assertThat(view.get("primaryVersion").asInt()).isEqualTo(1);
        assertThat(view.get("updatedBy").asString()).isEqualTo("admin");
        assertThat(routing(model).get("guard").get("windowSeconds").asInt()).isEqualTo(30);
    }

    @Test
    void getShowsVariantTrafficAndRoutingEvents() {
        String model = twoDeployedVersions("stats");
        route(model, EIGHTY_TWENTY);
        for (int i = 0; i < 50; i++) {
            servedVersion(model, ROW);
        }
        JsonNode view = routing(model);
        JsonNode stats = view.get("variantStats");
        assertThat(stats.size()).isEqualTo(2);
        assertThat(stats.get(0).get("version").asInt()).isEqualTo(1);
        assertThat(stats.get(0).get("requestsPerSecond").asDouble()).isPositive();
        assertThat(stats.get(0).get("p99Millis").asDouble()).isPositive();
        JsonNode event = view.get("events").get(0);
        assertThat(event.get("kind").asString()).isEqualTo("routing.update");
        assertThat(event.get("detail").asString()).contains("v1 80%", "v2 20%");
        assertThat(event.get("at").asString()).isNotEmpty();
    }

    @Test
    void weightsNotSummingTo100Are400AndChangeNothing() {
        String model = twoDeployedVersions("sum");
        route(model, EIGHTY_TWENTY);
        expectError(putRouting(model, "{\"variants\": [{\"version\": 1, \"weight\": 80}, {\"version\": 2, \"weight\": 30}]}"),
                400, "sum to 110");
        expectError(putRouting(model, "{\"variants\": [{\"version\": 1, \"weight\": 120}, {\"version\": 2, \"weight\": -20}]}"),
                400, "0 to 100");
        expectError(putRouting(model, "{\"variants\": []}"), 400, "at least one variant");
        expectError(putRouting(model, "{\"variants\": [{\"version\": 1, \"weight\": 50}, {\"version\": 1, \"weight\": 50}]}"),
                400, "twice");
        expectError(putRouting(model, "{\"variants\": [{\"version\": 1}]}"), 400, "version and a weight");
        assertThat(weight(model, 1)).isEqualTo(80);
        assertThat(weight(model, 2)).isEqualTo(20);
    }

    @Test
    void badShadowGuardOrBodyIs400AndChangesNothing() {
        String model = twoDeployedVersions("badbody");
        route(model, EIGHTY_TWENTY);
        String variants = "\"variants\": [{\"version\": 1, \"weight\": 100}]";
        expectError(putRouting(model, "{" + variants + ", \"shadow\": {\"version\": 2, \"percent\": -5}}"), 400, "percent must be 0 to 100");
        expectError(putRouting(model, "{" + variants + ", \"shadow\": {\"version\": 2, \"percent\": 150}}"), 400, "percent must be 0 to 100");
        expectError(putRouting(model, "{" + variants + ", \"shadow\": {\"version\": 2}}"), 400, "shadow needs");
        expectError(putRouting(model, "{" + variants + ", \"guard\": {\"maxErrorRate\": 1.5, \"windowSeconds\": 10}}"), 400, "0 to 1");
        expectError(putRouting(model, "{" + variants + ", \"guard\": {\"windowSeconds\": 10}}"), 400, "maxErrorRate, maxP99Millis");
        expectError(putRouting(model, "{" + variants + ", \"guard\": {\"maxP99Millis\": 0}}"), 400, "maxP99Millis");
        expectError(putRouting(model, "{" + variants + ", \"stickyHeader\": \"bad header\"}"), 400, "stickyHeader");
        expectError(putRouting(model, "{\"variants\": [{\"version\": 1, \"weight\": \"lots\"}]}"), 400, "");
        expectError(putRouting(model, "{\"variants\": "), 400, "");
        expectError(putRouting(model, "{}"), 400, "variants");
        expectError(admin.put().uri("/api/v1/models/{m}/routing", model).contentType(MediaType.APPLICATION_JSON).exchange(),
                400, "variants");
        JsonNode view = routing(model);
        assertThat(view.get("variants").size()).isEqualTo(2);
        assertThat(view.get("shadow").isNull()).isTrue();
        assertThat(view.get("guard").isNull()).isTrue();
    }

    @Test
    void unknownOrUndeployedVersionIs409AndChangesNothing() {
        String model = twoDeployedVersions("undeployed");
        int notDeployed = upload(model, TestModels.echo(DataType.FP32));
        route(model, EIGHTY_TWENTY);
        expectError(putRouting(model, "{\"variants\": [{\"version\": 1, \"weight\": 50}, {\"version\": " + notDeployed
                + ", \"weight\": 50}]}"), 409, "not deployed");
        expectError(putRouting(model, "{\"variants\": [{\"version\": 1, \"weight\": 50}, {\"version\": 9, \"weight\": 50}]}"),
                409, "no version 9");
        expectError(putRouting(model, "{\"variants\": [{\"version\": 1, \"weight\": 100}], \"shadow\": {\"version\": "
                + notDeployed + ", \"percent\": 10}}"), 409, "not deployed");
        assertThat(weight(model, 1)).isEqualTo(80);
        assertThat(routing(model).get("shadow").isNull()).isTrue();
    }

    @Test
    void unknownModelIs404() {
        expectError(putRouting("no-such-model", EIGHTY_TWENTY), 404, "does not exist");
        expectError(admin.get().uri("/api/v1/models/no-such-model/routing").exchange(), 404, "does not exist");
        expectError(admin.delete().uri("/api/v1/models/no-such-model/routing").exchange(), 404, "does not exist");
    }

    @Test
    void routingAndAuditNeedAdminCredentials() {
        String model = twoDeployedVersions("auth");
        http.put().uri("/api/v1/models/{m}/routing", model).contentType(MediaType.APPLICATION_JSON).bodyValue(EIGHTY_TWENTY)
                .exchange().expectStatus().isUnauthorized().expectBody().jsonPath("$.error").isNotEmpty();
        http.get().uri("/api/v1/models/{m}/routing", model).exchange().expectStatus().isUnauthorized();
        http.delete().uri("/api/v1/models/{m}/routing", model).exchange().expectStatus().isUnauthorized();
        http.get().uri("/api/v1/audit").exchange().expectStatus().isUnauthorized();
        admin.get().uri("/api/v1/models/{m}/routing", model).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.variants.length()").isEqualTo(0);
    }

    @Test
    void adminActionsAreAuditedWithTheAdminAsActor() {
        String model = unique("audited");
        admin.post().uri("/api/v1/models").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", model, "description", "audited model")).exchange().expectStatus().isCreated();
        int v = upload(model, TestModels.echo(DataType.FP32));
        deploy(model, v, null);
        route(model, "{\"variants\": [{\"version\": " + v + ", \"weight\": 100}]}");
        admin.delete().uri("/api/v1/models/{m}/routing", model).exchange().expectStatus().isNoContent();
        admin.delete().uri("/api/v1/models/{m}/versions/{v}/deployment", model, v).exchange().expectStatus().isNoContent();
        admin.delete().uri("/api/v1/models/{m}/versions/{v}", model, v).exchange().expectStatus().isNoContent();
        admin.delete().uri("/api/v1/models/{m}", model).exchange().expectStatus().isNoContent();
        // a refused change is not an action taken
        admin.delete().uri("/api/v1/models/{m}", model).exchange().expectStatus().isNotFound();

        JsonNode entries = admin.get().uri("/api/v1/audit?limit=50&model={m}", model).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        List<String> actions = new ArrayList<>();
        entries.forEach(e -> actions.add(e.get("action").asString()));
        assertThat(actions).containsExactly("model.delete", "version.delete", "deployment.delete", "routing.delete",
                "routing.update", "deployment.update", "version.upload", "model.create");
        entries.forEach(e -> assertThat(e.get("actor").asString()).isEqualTo("admin"));
        JsonNode upload = entries.get(6);
        assertThat(upload.get("version").asInt()).isEqualTo(v);
        assertThat(upload.get("target").asString()).isEqualTo(model + "/versions/" + v);
        assertThat(upload.get("detail").asString()).contains("sha256");
        assertThat(entries.get(7).get("detail").asString()).isEqualTo("audited model");
        assertThat(entries.get(5).get("detail").asString()).contains("device cpu");
    }

    @Test
    void auditIsNewestFirstAndBounded() {
        String model = twoDeployedVersions("bounded");
        JsonNode two = admin.get().uri("/api/v1/audit?limit=2&model={m}", model).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(two.size()).isEqualTo(2);
        assertThat(two.get(0).get("action").asString()).isEqualTo("deployment.update");
        assertThat(two.get(0).get("version").asInt()).isEqualTo(2);
        assertThat(two.get(1).get("action").asString()).isEqualTo("version.upload");
        assertThat(two.get(0).get("id").asLong()).isGreaterThan(two.get(1).get("id").asLong());
        expectError(admin.get().uri("/api/v1/audit?limit=0").exchange(), 400, "limit");
        expectError(admin.get().uri("/api/v1/audit?limit=100000").exchange(), 400, "limit");
    }

    @Test
    void openApiDocumentsRoutingAndAudit() {
        JsonNode doc = http.get().uri("/v3/api-docs").exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        JsonNode routing = doc.get("paths").get("/api/v1/models/{model}/routing");
        assertThat(routing.has("put")).isTrue();
        assertThat(routing.has("get")).isTrue();
        assertThat(routing.has("delete")).isTrue();
        assertThat(routing.get("put").get("responses").has("400")).isTrue();
        assertThat(routing.get("put").get("responses").has("409")).isTrue();
        assertThat(routing.get("put").get("requestBody").get("content").get("application/json").get("schema").get("$ref").asString())
                .endsWith("/RoutingPolicyRequest");
        assertThat(routing.get("get").get("responses").get("200").get("content").get("application/json").get("schema")
                .get("$ref").asString()).endsWith("/RoutingPolicy");
        assertThat(doc.get("paths").get("/api/v1/audit").get("get").get("responses").get("200").get("content")
                .get("application/json").get("schema").get("items").get("$ref").asString()).endsWith("/AuditEntry");
        JsonNode schemas = doc.get("components").get("schemas");
        assertThat(schemas.get("RoutingPolicyRequest").get("properties").has("guard")).isTrue();
        assertThat(schemas.get("RoutingPolicy").get("properties").has("variantStats")).isTrue();
        assertThat(schemas.get("RoutingPolicy").get("properties").has("events")).isTrue();
        assertThat(schemas.get("AuditEntry").get("properties").has("actor")).isTrue();
    }
}
