package dev.otimo.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Per model, version and variant: requests by outcome ({@code otimo_requests_total}) and total
 * latency ({@code otimo_request_seconds}). Tags only carry registered names and version numbers.
 */
@Component
public class InferenceMetrics {

    /** How a request ended. */
    public enum Outcome { SUCCESS, CLIENT_ERROR, SERVER_ERROR, REJECTED, TIMEOUT }

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

    public InferenceMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(String model, int version, String variant, Outcome outcome, long nanos) {
        String v = Integer.toString(version);
        String o = outcome.name().toLowerCase(java.util.Locale.ROOT);
        counters.computeIfAbsent(model + '\0' + v + '\0' + variant + '\0' + o, k -> Counter.builder("otimo.requests")
                .description("inference requests by outcome").tags("model", model, "version", v, "variant", variant, "outcome", o)
                .register(registry)).increment();
        if (outcome == Outcome.SUCCESS) {
            timers.computeIfAbsent(model + '\0' + v, k -> Timer.builder("otimo.request")
                    .description("inference latency, receipt of the body to the encoded response")
                    .tags("model", model, "version", v).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(50_000)).maximumExpectedValue(Duration.ofSeconds(30))
                    .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
