package dev.otimo.api.v2;

import dev.otimo.inference.ByteAdmission;
import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Admission by bytes over raw sockets: a body is admitted by its Content-Length before it is read,
 * a chunked one is counted as it arrives, refusals are 413 (never fits) or 429 with Retry-After
 * (does not fit now), and every admitted byte is given back whatever happens to the request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdmissionOverHttpTest extends ServerTest {

    private static final int SERVER_BUDGET = 100_000;
    private static final int DEPLOYMENT_BUDGET = 60_000;

    @DynamicPropertySource
    static void budgets(DynamicPropertyRegistry registry) {
        registry.add("otimo.admission.max-inflight-bytes", () -> Integer.toString(SERVER_BUDGET));
        registry.add("otimo.admission.max-inflight-bytes-per-deployment", () -> Integer.toString(DEPLOYMENT_BUDGET));
    }

    @Autowired
    private ByteAdmission admission;

    private String model;
    private String other;

    @BeforeAll
    void deploy() {
        clients();
        model = unique("admit");
        serve(model, TestModels.sumAndScale());
        other = unique("admit-other");
        serve(other, TestModels.sumAndScale());
    }

    /** A raw HTTP/1.1 request whose body is written when and as the test says. */
    private final class RawRequest implements AutoCloseable {
        final Socket socket;
        final OutputStream out;

        RawRequest(String target, String lengthHeader) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(20_000);
            out = socket.getOutputStream();
            out.write(("POST /v2/models/" + target + "/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + lengthHeader + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        void chunk(byte[] bytes) throws IOException {
            write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            write(bytes);
            write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }

        /** The whole answer (status line, headers, body) once the server closes the connection. */
        String answer() throws IOException {
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    all.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                // what arrived is the answer
            }
            return all.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static byte[] filler(int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) ' ');
        return b;
    }

    @Test
    void bodyLargerThanADeploymentsBudgetIs413BeforeItIsSent() throws IOException {
        try (RawRequest r = new RawRequest(model, "Content-Length: " + (DEPLOYMENT_BUDGET + 1))) {
            // not one byte of the body is sent: the answer comes from the declared length alone
            String answer = r.answer();
            assertThat(answer).startsWith("HTTP/1.1 413").contains("\"error\"").contains("otimo.admission");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> admission.inFlight() == 0);
    }

    @Test
    void bodyThatDoesNotFitWhileAnotherIsInFlightIs429WithRetryAfter() throws IOException {
        try (RawRequest holder = new RawRequest(model, "Content-Length: 50000")) {
            holder.write(filler(10));
            await().atMost(Duration.ofSeconds(5)).until(() -> admission.inFlight() == 50_000);
            try (RawRequest second = new RawRequest(model, "Content-Length: 20000")) {
                String answer = second.answer();
                assertThat(answer).startsWith("HTTP/1.1 429").containsIgnoringCase("Retry-After: 1")
                        .contains("already holds 50000 bytes");
            }
            // another deployment still has room in the server's budget
            try (RawRequest elsewhere = new RawRequest(other, "Content-Length: 40000")) {
                elsewhere.write(filler(40_000));
                // blanks are no inference request, but they were admitted and read
                assertThat(elsewhere.answer()).startsWith("HTTP/1.1 400").contains("JSON object");
            }
            // and the server's budget is shared: 50 000 + 60 000 does not fit
            try (RawRequest over = new RawRequest(other, "Content-Length: 55000")) {
                assertThat(over.answer()).startsWith("HTTP/1.1 429").contains("otimo.admission.max-inflight-bytes");
            }
        }
        // the held request's client went away: its bytes come back
        await().atMost(Duration.ofSeconds(10)).until(() -> admission.inFlight() == 0);
        inferOk(model, """
                {"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
                            {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}""");
    }

    @Test
    void chunkedBodyOverTheBudgetIsRefusedWhileItIsRead() throws IOException {
        try (RawRequest r = new RawRequest(model, "Transfer-Encoding: chunked")) {
            for (int i = 0; i < 7; i++) {
                r.chunk(filler(10_000));
            }
            r.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(r.answer()).startsWith("HTTP/1.1 413").contains("at least");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> admission.inFlight() == 0);
    }

    @Test
    void chunkedBodyWithinTheBudgetIsServed() throws IOException {
        byte[] good = """
                {"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
                            {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}""".getBytes(StandardCharsets.UTF_8);
        try (RawRequest r = new RawRequest(model, "Transfer-Encoding: chunked")) {
            r.chunk(java.util.Arrays.copyOf(good, 20));
            r.chunk(java.util.Arrays.copyOfRange(good, 20, good.length));
            r.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(r.answer()).startsWith("HTTP/1.1 200").contains("\"outputs\"");
        }
        assertThat(admission.inFlight()).isZero();
    }
}
