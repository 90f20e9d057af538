package dev.otimo.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Shadow traffic and canary guard as Micrometer meters: {@code otimo.shadow.requests} (model,
 * version, outcome), {@code otimo.shadow.latency} (model, version), {@code otimo.shadow.divergence}
 * (model, version, measure: max_abs_diff or cosine) and {@code otimo.guard.trips} (model, version).
 */
@Component
public class RoutingMetrics {

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, DistributionSummary> summaries = new ConcurrentHashMap<>();

    public RoutingMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A shadow request ended with {@code outcome} after {@code nanos}. */
    public void shadowAnswered(String model, int version, String outcome, long nanos) {
        String v = Integer.toString(version);
        counters.computeIfAbsent("shadow\0" + model + '\0' + v + '\0' + outcome, k -> Counter.builder("otimo.shadow.requests")
                .description("requests mirrored to a shadow version, by outcome")
                .tags("model", model, "version", v, "outcome", outcome).register(registry)).increment();
        timers.computeIfAbsent(model + '\0' + v, k -> Timer.builder("otimo.shadow.latency")
                .description("time the shadow version took to answer a mirrored request")
                .tags("model", model, "version", v).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** How far a shadow's answer was from the primary's. */
    public void shadowDiverged(String model, int version, double maxAbsDiff, double cosine) {
        summary(model, version, "max_abs_diff").record(maxAbsDiff);
        summary(model, version, "cosine").record(cosine);
    }

    /** The canary guard rolled back {@code version}. */
    public void guardTripped(String model, int version) {
        String v = Integer.toString(version);
        counters.computeIfAbsent("guard\0" + model + '\0' + v, k -> Counter.builder("otimo.guard.trips")
                .description("variants rolled back by the canary guard")
                .tags("model", model, "version", v).register(registry)).increment();
    }

    private DistributionSummary summary(String model, int version, String measure) {
        String v = Integer.toString(version);
        return summaries.computeIfAbsent(model + '\0' + v + '\0' + measure, k -> DistributionSummary.builder("otimo.shadow.divergence")
                .description("divergence of shadow outputs from the primary's: max_abs_diff, or cosine similarity")
                .tags("model", model, "version", v, "measure", measure).register(registry));
    }
}
