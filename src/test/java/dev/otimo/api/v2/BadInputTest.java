package dev.otimo.api.v2;

import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each class of bad inference input gets its own 4xx with {@code {"error"}}, and the server goes on
 * serving afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest extends ServerTest {

    private String model;

    @BeforeAll
    void deploy() {
        clients();
        model = unique("bad");
        serve(model, TestModels.sumAndScale());
    }

    @AfterAll
    void serverStillServesNormally() {
        clients();
        inferOk(model, good());
    }

    private static String good() {
        return """
                {"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
                            {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}""";
    }

    private void expectError(WebTestClient.ResponseSpec response, int status, String fragment) {
        response.expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody().jsonPath("$.error").value(e -> assertThat(((String) e).toLowerCase()).contains(fragment.toLowerCase()));
    }

    private WebTestClient.ResponseSpec send(String body) {
        return infer(model, body);
    }

    @Test
    void malformedJsonIs400() {
        expectError(send("{\"inputs\": [ {\"name\": \"a\", "), 400, "malformed JSON");
    }

    @Test
    void emptyBodyIs400() {
        expectError(http.post().uri("/v2/models/{m}/infer", model).contentType(MediaType.APPLICATION_JSON).exchange(), 400, "empty");
    }

    @Test
    void bodyThatIsNotAnObjectIs400() {
        expectError(send("[1, 2, 3]"), 400, "JSON object");
    }

    @Test
    void noInputsIs400() {
        expectError(send("{\"inputs\": []}"), 400, "no inputs");
        expectError(send("{\"id\": \"x\"}"), 400, "no inputs");
    }

    @Test
    void unknownInputNameIs400() {
        expectError(send(good().replace("\"b\"", "\"c\"")), 400, "unknown input 'c'");
    }

    @Test
    void missingInputIs400() {
        expectError(send("{\"inputs\": [{\"name\": \"a\", \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]}"),
                400, "missing input 'b'");
    }

    @Test
    void dataLengthDifferentFromShapeProductIs400() {
        expectError(send(good().replace("\"data\": [1, 2, 3, 4]}]", "\"data\": [1, 2, 3]}]")), 400, "needs 4 elements but data has 3");
    }

    @Test
    void wrongDatatypeIs400() {
        expectError(send(good().replace("\"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]", "\"datatype\": \"INT32\", \"data\": [1, 2, 3, 4]}]")),
                400, "must be FP32 but the request says INT32");
    }

    @Test
    void unknownDatatypeIs400() {
        expectError(send(good().replace("\"FP32\", \"data\": [1, 2, 3, 4]}]", "\"FLOAT\", \"data\": [1, 2, 3, 4]}]")), 400, "unknown datatype");
    }

    @Test
    void nonNumericDataIs400() {
        expectError(send(good().replace("[1, 2, 3, 4]}]", "[1, \"two\", 3, 4]}]")), 400, "must be numbers");
        expectError(send(good().replace("[1, 2, 3, 4]}]", "[1, null, 3, 4]}]")), 400, "found null");
        expectError(send(good().replace("[1, 2, 3, 4]}]", "[1, {}, 3, 4]}]")), 400, "found an object");
    }

    @Test
    void negativeDimensionIs400() {
        expectError(send(good().replace("\"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]",
                "\"shape\": [-1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]")), 400, "negative");
    }

    @Test
    void absurdDimensionIs400() {
        expectError(send(good().replace("\"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]",
                "\"shape\": [1099511627776, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]")), 400, "too large");
        expectError(send(good().replace("\"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]",
                "\"shape\": [65536, 65536], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]")), 400, "more than");
    }

    @Test
    void shapeNotMatchingTheModelIs400() {
        expectError(send(good().replace("\"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]",
                "\"shape\": [2, 2], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]")), 400, "expects [-1, 4]");
    }

    @Test
    void rowCountsDifferingBetweenInputsIs400() {
        expectError(send(good().replace("\"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]",
                "\"shape\": [2, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4, 5, 6, 7, 8]}]")), 400, "rows");
    }

    @Test
    void unknownOutputIs400() {
        expectError(send(good().replace("]}", "], \"outputs\": [{\"name\": \"nope\"}]}")), 400, "unknown output 'nope'");
    }

    @Test
    void unknownModelIs404() {
        expectError(infer("no-such-model", good()), 404, "unknown model");
    }

    @Test
    void unknownVersionIs404() {
        expectError(http.post().uri("/v2/models/{m}/versions/99/infer", model).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(good()).exchange(), 404, "no version 99");
        expectError(http.post().uri("/v2/models/{m}/versions/latest/infer", model).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(good()).exchange(), 404, "no version");
        expectError(http.get().uri("/v2/models/{m}/versions/7", model).exchange(), 404, "no version 7");
    }

    @Test
    void bodyOverTheConfiguredLimitIs413() {
        byte[] big = new byte[5 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) ' ');
        expectError(http.post().uri("/v2/models/{m}/infer", model).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(big).exchange(), 413, "limit");
    }

    @Test
    void valueOutOfRangeForIntegerTypeIs400() {
        String echo = unique("echo-i8");
        serve(echo, TestModels.echo(dev.otimo.runtime.DataType.INT8));
        expectError(infer(echo, "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"INT8\",\"data\":[1,2,300]}]}"), 400, "out of range");
        expectError(infer(echo, "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"INT8\",\"data\":[1,2,3.5]}]}"), 400, "integers");
    }

    @Test
    void unknownEndpointIs404Json() {
        expectError(http.get().uri("/v2/nothing/here").exchange(), 404, "no such");
    }
}
