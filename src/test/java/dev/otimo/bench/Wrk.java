package dev.otimo.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Load from another process, as users measure: {@code wrk} (Debian package) with a Lua script that
 * posts the same body on every request and prints its counts and latency percentiles at the end.
 * Each connection is one closed-loop client. Latencies are wrk's, from the socket write of a
 * request to the last byte of its answer.
 */
final class Wrk {

    /** Two consecutive warm-up rounds within this fraction of each other: the target has settled. */
    static final double SETTLED = 0.05;

    private final Path dir;

    Wrk(Path dir) {
        this.dir = dir;
    }

    /** Whether {@code wrk} runs here. */
    static boolean available() {
        try {
            Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(10, TimeUnit.SECONDS);
            return true;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** One run of {@code duration} with {@code clients} connections. */
    LoadGenerator.Result run(String url, byte[] body, Map<String, String> headers, int clients, Duration duration)
            throws IOException, InterruptedException {
        Path bodyFile = Files.createTempFile(dir, "wrk-body-", ".bin");
        Path script = Files.createTempFile(dir, "wrk-", ".lua");
        try {
            Files.write(bodyFile, body);
            Files.writeString(script, script(bodyFile, headers));
            int threads = Math.min(clients, 2);
            List<String> command = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + clients,
                    "-d" + Math.max(1, duration.toSeconds()) + "s", "--timeout", "10s", "-s", script.toString(), url));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(duration.toSeconds() + 60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("wrk failed: " + out);
            }
            return parse(out);
        } finally {
            Files.deleteIfExists(bodyFile);
            Files.deleteIfExists(script);
        }
    }

    /**
     * Runs rounds of {@code round} with {@code clients} connections until two consecutive rounds are
     * within {@link #SETTLED} of each other (the JIT has done its work), at most {@code maxRounds}.
     *
     * @return the throughput of every round, rows/s
     */
    List<Double> settle(String url, byte[] body, Map<String, String> headers, int clients, Duration round, int maxRounds)
            throws IOException, InterruptedException {
        List<Double> rounds = new ArrayList<>();
        for (int i = 0; i < maxRounds; i++) {
            rounds.add(run(url, body, headers, clients, round).perSecond());
            int n = rounds.size();
            if (n >= 2 && Math.abs(rounds.get(n - 1) - rounds.get(n - 2)) <= SETTLED * Math.max(rounds.get(n - 1), rounds.get(n - 2))) {
                break;
            }
        }
        return rounds;
    }

    private static String script(Path bodyFile, Map<String, String> headers) {
        StringBuilder s = new StringBuilder();
        s.append("local f = io.open(\"").append(bodyFile).append("\", \"rb\")\n");
        s.append("wrk.body = f:read(\"*a\")\nf:close()\nwrk.method = \"POST\"\n");
        headers.forEach((k, v) -> s.append("wrk.headers[\"").append(k).append("\"] = \"").append(v).append("\"\n"));
        s.append("""
                function done(summary, latency, requests)
                  local e = summary.errors
                  io.write(string.format("OTIMO-WRK %d %d %d %d %d\\n", summary.requests,
                    e.connect + e.read + e.write + e.status + e.timeout, summary.duration,
                    latency:percentile(50), latency:percentile(99)))
                end
                """);
        return s.toString();
    }

    static LoadGenerator.Result parse(String out) throws IOException {
        for (String line : out.split("\n")) {
            if (line.startsWith("OTIMO-WRK ")) {
                String[] f = line.trim().split(" ");
                long requests = Long.parseLong(f[1]);
                long errors = Long.parseLong(f[2]);
                double seconds = Long.parseLong(f[3]) / 1e6;
                double ok = requests - errors;
                return new LoadGenerator.Result(requests, errors, seconds, ok / seconds,
                        Long.parseLong(f[4]) / 1000.0, Long.parseLong(f[5]) / 1000.0);
            }
        }
        throw new IOException("no summary in wrk's output: " + String.format(Locale.ROOT, "%s", out));
    }
}
