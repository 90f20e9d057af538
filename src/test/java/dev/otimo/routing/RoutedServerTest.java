package dev.otimo.routing;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.otimo.onnx.GraphBuilder;
import dev.otimo.support.ServerTest;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import java.util.List;

/** A running server plus what the routing tests share: policy calls, a request body, more test models. */
abstract class RoutedServerTest extends ServerTest {

    /** One row for the [batch, 3] FP32 models ({@code TestModels.echo}, {@link #failsAtRunTime()}). */
    static final String ROW = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,-2,3]}]}";
    /** One value for {@code TestModels.slow}. */
    static final String CELL = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,1],\"datatype\":\"FP32\",\"data\":[2]}]}";

    /**
     * x [batch, 3] FP32 reshaped to [-1, 4]: matches the echo model's signature, loads fine, and
     * fails at run time for a single row (3 elements do not fill rows of 4).
     */
    static byte[] failsAtRunTime() {
        return GraphBuilder.named("fails_at_run_time")
                .input("x", TensorProto.DataType.FLOAT, -1, 3)
                .output("y", TensorProto.DataType.FLOAT, -1, 4)
                .initializer("shape", new long[] {-1, 4}, 2)
                .node("Reshape", List.of("x", "shape"), List.of("y"))
                .toBytes();
    }

    WebTestClient.ResponseSpec putRouting(String model, String json) {
        return admin.put().uri("/api/v1/models/{m}/routing", model).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json).exchange();
    }

    JsonNode routing(String model) {
        return admin.get().uri("/api/v1/models/{m}/routing", model).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    /** Sets a policy that must be accepted. */
    JsonNode route(String model, String json) {
        return putRouting(model, json).expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    /** The version that served an unversioned request, checked against the response header. */
    int servedVersion(String model, String body) {
        EntityExchangeResult<JsonNode> r = infer(model, body).expectStatus().isOk().expectBody(JsonNode.class).returnResult();
        int version = Integer.parseInt(r.getResponseBody().get("model_version").asString());
        org.assertj.core.api.Assertions.assertThat(r.getResponseHeaders().getFirst("X-Otimo-Model-Version"))
                .isEqualTo(Integer.toString(version));
        return version;
    }

    /** The weight of {@code version} in the model's stored policy. */
    int weight(String model, int version) {
        for (JsonNode v : routing(model).get("variants")) {
            if (v.get("version").asInt() == version) {
                return v.get("weight").asInt();
            }
        }
        throw new AssertionError("version " + version + " is not a variant of " + model);
    }

    /** The Prometheus scrape, read as the admin. */
    String prometheus() {
        return admin.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
    }

    /** Sum of the values of the Prometheus series {@code name} whose labels include every one of {@code labels}. */
    double sample(String scrape, String name, String... labels) {
        double sum = 0;
        for (String line : scrape.split("\n")) {
            if (!line.startsWith(name + "{")) {
                continue;
            }
            String set = line.substring(name.length(), line.lastIndexOf('}') + 1);
            boolean all = true;
            for (String label : labels) {
                all &= set.contains(label);
            }
            if (all) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
