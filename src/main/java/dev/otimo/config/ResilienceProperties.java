package dev.otimo.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;
import java.util.Map;

/**
 * How inference protects itself, under {@code otimo.resilience.*}: per live deployment a bulkhead,
 * a circuit breaker and a time limit; per client a rate limit; the canary guard's smallest sample.
 *
 * @param bulkheadMaxConcurrent requests one deployment may hold at once (queued or running); more get 429
 * @param breaker               when a deployment's circuit breaker opens and for how long
 * @param timeLimit             longest a deployment may take to answer before the request fails with 503
 * @param modelTimeLimits       time limits for particular models (by name), overriding {@code timeLimit}
 * @param rateLimitPerSecond    requests per second per client (API key, else remote address); 0: no limit
 * @param clientRateLimits      limits for particular clients (by API key or address), overriding the default
 * @param guardMinimumCalls     calls a canary must have answered in the guard's window before it can be judged
 * @param maxTrackedClients     clients whose rate limiters are kept at once; the least recently seen go first
 * @param guardShareInterval    how often each replica shares its canary guards' counts through the database and
 *                              judges the canaries on all replicas' calls; 0: each replica judges on its own calls only
 */
@Validated
@ConfigurationProperties("otimo.resilience")
public record ResilienceProperties(
        @DefaultValue("4096") @Min(1) int bulkheadMaxConcurrent,
        @DefaultValue @Valid Breaker breaker,
        @DefaultValue("30s") @NotNull Duration timeLimit,
        @DefaultValue Map<String, Duration> modelTimeLimits,
        @DefaultValue("0") @Min(0) int rateLimitPerSecond,
        @DefaultValue Map<String, Integer> clientRateLimits,
        @DefaultValue("20") @Min(1) int guardMinimumCalls,
        @DefaultValue("100000") @Min(1) int maxTrackedClients,
        @DefaultValue("1s") @NotNull Duration guardShareInterval) {

    public ResilienceProperties {
        modelTimeLimits = modelTimeLimits == null ? Map.of() : Map.copyOf(modelTimeLimits);
        clientRateLimits = clientRateLimits == null ? Map.of() : Map.copyOf(clientRateLimits);
    }

    /** The time limit of a model's deployments. */
    public Duration timeLimit(String model) {
        return modelTimeLimits.getOrDefault(model, timeLimit);
    }

    /** Requests per second a client may send; 0: no limit. */
    public int rateLimit(String clientKey) {
        return clientRateLimits.getOrDefault(clientKey, rateLimitPerSecond);
    }

    /**
     * A deployment's circuit breaker: it opens when, over the last {@code slidingWindowCalls}
     * calls (at least {@code minimumCalls}), failures or slow calls reach their threshold; it stays
     * open {@code waitInOpenState}, then lets {@code halfOpenCalls} trial calls through.
     *
     * @param failureRateThreshold  percent of failed calls (time-outs, server errors) that opens it
     * @param slowCallRateThreshold percent of calls slower than {@code slowCallDuration} that opens it
     */
    public record Breaker(@DefaultValue("50") @DecimalMin("1") @DecimalMax("100") float failureRateThreshold,
                          @DefaultValue("100") @DecimalMin("1") @DecimalMax("100") float slowCallRateThreshold,
                          @DefaultValue("10s") @NotNull Duration slowCallDuration,
                          @DefaultValue("20") @Min(1) int slidingWindowCalls,
                          @DefaultValue("10") @Min(1) int minimumCalls,
                          @DefaultValue("10s") @NotNull Duration waitInOpenState,
                          @DefaultValue("3") @Min(1) int halfOpenCalls) {
    }
}
