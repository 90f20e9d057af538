package dev.otimo.api;

import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * One client on one keep-alive connection, sending each request as soon as the previous answer is
 * read: the server answers every one in turn. Without {@code NettyServerDefaults} about one request
 * in a hundred waited for ever here.
 */
class KeepAliveTest extends ServerTest {

    private static final int REQUESTS = 1500;

    @Test
    void keepAliveConnectionAnswersEveryRequestInTurnAfterSuccessesUnauthorizedMalformedAndUnknownModel()
            throws IOException {
        String model = unique("keep-alive");
        serve(model, TestModels.sumAndScale());
        String good = """
                {"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
                            {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [1, 1, 1, 1]}]}""";
        String malformed = "{\"inputs\": [";
        List<String> requests = List.of(
                post("/v2/models/" + model + "/infer", good),
                "GET /api/v1/models HTTP/1.1\r\nHost: otimo\r\n\r\n",
                post("/v2/models/" + model + "/infer", malformed),
                post("/v2/models/" + unique("absent") + "/infer", good),
                "GET /v2/health/ready HTTP/1.1\r\nHost: otimo\r\n\r\n");
        List<Integer> expected = List.of(200, 401, 400, 404, 200);
        List<Integer> statuses = new ArrayList<>();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < REQUESTS; i++) {
                int kind = i % requests.size();
                out.write(requests.get(kind).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                try {
                    statuses.add(readResponse(in));
                } catch (SocketTimeoutException e) {
                    fail("request %d (%s) on the kept-alive connection got no answer within 5 s",
                            i, requests.get(kind).lines().findFirst().orElseThrow());
                }
                assertThat(statuses.get(i)).as("status of request %d", i).isEqualTo(expected.get(kind));
            }
        }
        assertThat(statuses).hasSize(REQUESTS);
    }

    private static String post(String path, String json) {
        return "POST " + path + " HTTP/1.1\r\nHost: otimo\r\nContent-Type: application/json\r\nContent-Length: "
                + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
    }

    /** Reads one HTTP/1.1 response (Content-Length or chunked body) and returns its status code. */
    private static int readResponse(InputStream in) throws IOException {
        String status = line(in);
        assertThat(status).as("status line").startsWith("HTTP/1.1 ");
        long length = 0;
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            String h = header.toLowerCase(Locale.ROOT);
            if (h.startsWith("content-length:")) {
                length = Long.parseLong(h.substring("content-length:".length()).trim());
            } else if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
                chunked = true;
            } else if (h.startsWith("connection:") && h.contains("close")) {
                fail("the server closed a keep-alive connection: " + status);
            }
        }
        if (chunked) {
            for (long size = chunkSize(in); size > 0; size = chunkSize(in)) {
                in.readNBytes((int) size);
                line(in);
            }
            line(in);
        } else {
            in.readNBytes((int) length);
        }
        return Integer.parseInt(status.substring(9, 12));
    }

    private static long chunkSize(InputStream in) throws IOException {
        return Long.parseLong(line(in).split(";")[0].trim(), 16);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c == -1) {
                fail("the server closed the connection");
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1).trim();
    }
}
