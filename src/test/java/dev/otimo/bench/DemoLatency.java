package dev.otimo.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * One closed-loop client against a running Otimo's demo model, for the README's latency figure:
 * {@code java ... DemoLatency http://127.0.0.1:8080 [seconds]}.
 */
public final class DemoLatency {

    private DemoLatency() {
    }

    public static void main(String[] args) {
        String base = args.length > 0 ? args[0] : "http://127.0.0.1:8080";
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 10;
        byte[] body = "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}]}"
                .getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = Map.of("Content-Type", "application/json");
        LoadGenerator.Result r = LoadGenerator.run(base + "/v2/models/iris/infer", body, headers, 1,
                Duration.ofSeconds(5), Duration.ofMillis((long) (seconds * 1000)));
        System.out.printf(Locale.ROOT, "iris, 1 client, JSON: %.0f requests/s, p50 %.3f ms, p99 %.3f ms (%d requests, %d errors)%n",
                r.perSecond(), r.p50Millis(), r.p99Millis(), r.requests(), r.errors());
        System.exit(r.errors() == 0 ? 0 : 1);
    }
}
