package dev.otimo.api.v2;

import dev.otimo.runtime.DataType;
import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The binary tensor data extension in both directions, and its malformed forms. */
class BinaryExtensionTest extends ServerTest {

    /** Raw little-endian bytes of six elements of each type (BYTES: length-prefixed strings). */
    static byte[] sixElements(DataType type) {
        if (type == DataType.BYTES) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String s : new String[] {"", "a", "bc", "déf", "\u0000\u0001", "long string"}) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
                out.writeBytes(b);
            }
            return out.toByteArray();
        }
        byte[] raw = new byte[6 * type.byteSize()];
        new Random(type.ordinal()).nextBytes(raw);
        if (type == DataType.BOOL) {
            for (int i = 0; i < raw.length; i++) {
                raw[i] = (byte) (raw[i] & 1);
            }
        }
        if (type == DataType.FP16 || type == DataType.FP32 || type == DataType.FP64) {
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 6; i++) {
                switch (type) {
                    case FP16 -> b.putShort(ai.onnxruntime.platform.Fp16Conversions.floatToFp16(i * 0.5f - 1));
                    case FP32 -> b.putFloat(i * 1.25f - 3);
                    default -> b.putDouble(i * 1e-3 - 2);
                }
            }
        }
        return raw;
    }

    static byte[] binaryRequest(String json, byte[] data) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(header, header.length + data.length);
        System.arraycopy(data, 0, body, header.length, data.length);
        return body;
    }

    private WebTestClient.ResponseSpec post(String model, byte[] body, String headerLength) {
        return http.post().uri("/v2/models/{m}/infer", model).contentType(MediaType.APPLICATION_OCTET_STREAM)
                .header("Inference-Header-Content-Length", headerLength).bodyValue(body).exchange();
    }

    @ParameterizedTest
    @EnumSource(DataType.class)
    void everyDatatypeRoundTripsAsBinaryBothWays(DataType type) {
        String model = unique("bin-" + type.name().toLowerCase());
        serve(model, TestModels.echo(type));
        byte[] data = sixElements(type);
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],\"datatype\":\"" + type
                + "\",\"parameters\":{\"binary_data_size\":" + data.length + "}}],\"parameters\":{\"binary_data_output\":true}}";
        EntityExchangeResult<byte[]> result = post(model, binaryRequest(json, data), Integer.toString(json.length()))
                .expectStatus().isOk().expectHeader().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .expectBody(byte[].class).returnResult();
        int headerLength = Integer.parseInt(result.getResponseHeaders().getFirst("Inference-Header-Content-Length"));
        byte[] body = result.getResponseBody();
        JsonNode header = JSON.readTree(new String(body, 0, headerLength, StandardCharsets.UTF_8));
        JsonNode out = header.get("outputs").get(0);
        assertThat(out.has("data")).isFalse();
        assertThat(out.get("parameters").get("binary_data_size").asInt()).isEqualTo(data.length);
        assertThat(Arrays.copyOfRange(body, headerLength, body.length)).isEqualTo(data);
    }

    @Test
    void binaryInputWithJsonOutputAndPerOutputBinary() {
        String model = unique("bin-mixed");
        serve(model, TestModels.sumAndScale());
        ByteBuffer a = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).putFloat(3).putFloat(4);
        String json = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,4],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":16}},"
                + "{\"name\":\"b\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,1,1,1]}],"
                + "\"outputs\":[{\"name\":\"sum\"},{\"name\":\"scaled\",\"parameters\":{\"binary_data\":true}}]}";
        EntityExchangeResult<byte[]> result = post(model, binaryRequest(json, a.array()), Integer.toString(json.length()))
                .expectStatus().isOk().expectBody(byte[].class).returnResult();
        int headerLength = Integer.parseInt(result.getResponseHeaders().getFirst("Inference-Header-Content-Length"));
        JsonNode header = JSON.readTree(new String(result.getResponseBody(), 0, headerLength, StandardCharsets.UTF_8));
        assertThat(header.get("outputs").get(0).get("data").toString()).isEqualTo("[2.0,3.0,4.0,5.0]");
        ByteBuffer scaled = ByteBuffer.wrap(result.getResponseBody(), headerLength, 16).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new float[] {scaled.getFloat(), scaled.getFloat(), scaled.getFloat(), scaled.getFloat()})
                .containsExactly(2f, 4f, 6f, 8f);
    }

    @Test
    void headerLengthBeyondTheBodyIs400() {
        String model = unique("bin-bad");
        serve(model, TestModels.echo(DataType.FP32));
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":12}}]}";
        byte[] body = binaryRequest(json, new byte[12]);
        post(model, body, Integer.toString(body.length + 1)).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("exceeds the body length"));
    }

    @Test
    void negativeOrNonNumericHeaderLengthIs400() {
        String model = unique("bin-neg");
        serve(model, TestModels.echo(DataType.FP32));
        byte[] body = binaryRequest("{}", new byte[0]);
        post(model, body, "-5").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("must not be negative"));
        post(model, body, "twelve").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("must be a number"));
    }

    @Test
    void binaryDataSizeNotMatchingTheShapeIs400() {
        String model = unique("bin-size");
        serve(model, TestModels.echo(DataType.FP32));
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":8}}]}";
        post(model, binaryRequest(json, new byte[8]), Integer.toString(json.length())).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("needs 12 bytes but binary_data_size is 8"));
    }

    @Test
    void binaryDataSizeBeyondTheBodyIs400() {
        String model = unique("bin-short");
        serve(model, TestModels.echo(DataType.FP32));
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":12}}]}";
        post(model, binaryRequest(json, new byte[4]), Integer.toString(json.length())).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("beyond the end of the body"));
    }

    @Test
    void negativeBinaryDataSizeIs400() {
        String model = unique("bin-negsize");
        serve(model, TestModels.echo(DataType.FP32));
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":-12}}]}";
        post(model, binaryRequest(json, new byte[12]), Integer.toString(json.length())).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("must not be negative"));
    }

    @Test
    void leftoverBinaryBytesAre400() {
        String model = unique("bin-extra");
        serve(model, TestModels.echo(DataType.FP32));
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":12}}]}";
        post(model, binaryRequest(json, new byte[20]), Integer.toString(json.length())).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("no input's binary_data_size accounts for"));
    }

    @Test
    void truncatedBytesElementIs400() {
        String model = unique("bin-bytes");
        serve(model, TestModels.echo(DataType.BYTES));
        // room for three lengths, but the first element claims 100 bytes of the 10 that follow it
        byte[] data = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN).putInt(100).put(new byte[10]).array();
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"BYTES\",\"parameters\":{\"binary_data_size\":14}}]}";
        post(model, binaryRequest(json, data), Integer.toString(json.length())).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("goes beyond its binary data"));
    }
}
