package dev.otimo.api;

import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.BeforeEach;
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
 * One client on one keep-alive connection, sending the next request as soon as the previous answer is
 * read, or two requests at a time (HTTP/1.1 pipelining): the server answers every request in turn.
 * With Reactor Netty 1.3.6 about one request in a hundred sent back to back, and one pipelined pair in
 * five, waited for ever here.
 */
class KeepAliveTest extends ServerTest {

    private static final int REQUESTS = 1500;
    private static final String GOOD = """
            {"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
                        {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [1, 1, 1, 1]}]}""";

    private String model;

    @BeforeEach
    void servedModel() {
        model = unique("keep-alive");
        serve(model, TestModels.sumAndScale());
    }

    @Test
    void keepAliveConnectionAnswersEveryRequestInTurnAfterSuccessesUnauthorizedMalformedAndUnknownModel()
            throws IOException {
        exchange(1);
    }

    @Test
    void pipelinedRequestsAreAnsweredInTurnAfterSuccessesUnauthorizedMalformedAndUnknownModel() throws IOException {
        exchange(2);
    }

    /** Sends {@link #REQUESTS} requests on one connection, {@code perWrite} in each write. */
    private void exchange(int perWrite) throws IOException {
        List<String> requests = List.of(
                post("/v2/models/" + model + "/infer", GOOD),
                "GET /api/v1/models HTTP/1.1\r\nHost: otimo\r\n\r\n",
                post("/v2/models/" + model + "/infer", "{\"inputs\": ["),
                post("/v2/models/" + unique("absent") + "/infer", GOOD),
                "GET /v2/health/ready HTTP/1.1\r\nHost: otimo\r\n\r\n");
        List<Integer> expected = List.of(200, 401, 400, 404, 200);
        List<Integer> statuses = new ArrayList<>();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int first = 0; first < REQUESTS; first += perWrite) {
                StringBuilder written = new StringBuilder();
                for (int i = first; i < first + perWrite; i++) {
                    written.append(requests.get(i % requests.size()));
                }
                out.write(written.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                for (int i = first; i < first + perWrite; i++) {
                    String request = requests.get(i % requests.size());
                    try {
                        statuses.add(readResponse(in));
                    } catch (SocketTimeoutException e) {
                        fail("request %d (%s) on the kept-alive connection got no answer within 5 s",
                                i, request.lines().findFirst().orElseThrow());
                    }
                    assertThat(statuses.get(i)).as("status of request %d (%s)", i, request.lines().findFirst().orElseThrow())
                            .isEqualTo(expected.get(i % requests.size()));
                }
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
