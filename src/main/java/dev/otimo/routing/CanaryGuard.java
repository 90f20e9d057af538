package dev.otimo.routing;

import dev.otimo.inference.FailureKind;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches one non-primary variant over the guard's sliding time window. The window is a
 * resilience4j circuit breaker used only to measure: the failure-rate threshold is the guard's
 * error rate, and "p99 above N ms" is "at least 1% of calls slower than N ms". When it opens, the
 * breach is reported once; requests are never refused here.
 *
 * <p>Failures count as {@link FailureKind} says: server failures and timeouts do; bad requests and
 * overload refusals never do. A request whose values ONNX Runtime refused counts only once the
 * primary has served the same inputs ({@link #recordRegression}): a canary failing requests its
 * primary serves is the regression the guard is for, while inputs that fail everywhere are the
 * client's doing and cannot roll a canary back.
 *
 * <p>Every judged call is also tallied by the second it ended in. {@link SharedGuardWindows} sends
 * the tallies of finished seconds to the database and judges the sum of every replica's calls in
 * the window ({@link #judgeShared}), so that a canary breaching its limits across the fleet is
 * rolled back even when no single replica has seen enough of its calls.
 */
final class CanaryGuard {

    /** Calls, failures and slow calls that ended in one second. */
    record Tally(long second, int calls, int failures, int slow) {
    }

    private final String model;
    private final int version;
    private final RoutingPolicy.Guard limits;
    private final int minimumCalls;
    private final CircuitBreaker window;
    private final Consumer<String> onBreach;
    private final java.util.concurrent.ConcurrentHashMap<Long, int[]> tallies = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean sharedBreach;

    /**
     * @param minimumCalls calls the window must hold before it judges
     * @param onBreach     receives a sentence saying what was breached; called once, on the thread
     *                     that recorded the breaching call
     */
    CanaryGuard(String model, int version, RoutingPolicy.Guard limits, int minimumCalls, Consumer<String> onBreach) {
        this.model = model;
        this.version = version;
        this.limits = limits;
        this.minimumCalls = minimumCalls;
        this.onBreach = onBreach;
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindow(limits.windowSeconds(), minimumCalls, CircuitBreakerConfig.SlidingWindowType.TIME_BASED,
                        CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.LOCK_FREE)
                .failureRateThreshold(limits.maxErrorRate() == null ? 100f
                        : (float) Math.max(limits.maxErrorRate() * 100, 0.001))
                .slowCallDurationThreshold(limits.maxP99Millis() == null ? Duration.ofDays(1)
                        : Duration.ofMillis(limits.maxP99Millis()))
                .slowCallRateThreshold(limits.maxP99Millis() == null ? 100f : 1f)
                // the window only measures: once open it stays open and nothing asks it for permission
                .waitDurationInOpenState(Duration.ofDays(1))
                .build();
        this.window = CircuitBreaker.of("guard-" + model + "-v" + version, config);
        this.window.getEventPublisher().onStateTransition(e -> {
            if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                onBreach.accept(describeBreach());
            }
        });
    }

    void recordSuccess(long nanos) {
        tally(nanos, false);
        window.onSuccess(nanos, TimeUnit.NANOSECONDS);
    }

    void recordFailure(long nanos, Throwable error) {
        if (FailureKind.of(error).countsAgainstDeployment()) {
            count(nanos, error);
        }
    }

    /** A failure on inputs the primary variant served: the canary's own fault, whatever its kind. */
    void recordRegression(long nanos, Throwable error) {
        count(nanos, error);
    }

    private void count(long nanos, Throwable error) {
        tally(nanos, limits.maxErrorRate() != null);
        if (limits.maxErrorRate() == null) {
            // errors are not watched; the call still counts towards the latency limit
            window.onSuccess(nanos, TimeUnit.NANOSECONDS);
        } else {
            window.onError(nanos, TimeUnit.NANOSECONDS, error);
        }
    }

    boolean breached() {
        return sharedBreach || window.getState() != CircuitBreaker.State.CLOSED;
    }

    private void tally(long nanos, boolean failure) {
        boolean slow = limits.maxP99Millis() != null && nanos > TimeUnit.MILLISECONDS.toNanos(limits.maxP99Millis());
        tallies.compute(System.currentTimeMillis() / 1000, (second, t) -> {
            int[] counts = t == null ? new int[3] : t;
            counts[0]++;
            counts[1] += failure ? 1 : 0;
            counts[2] += slow ? 1 : 0;
            return counts;
        });
    }

    String model() {
        return model;
    }

    int version() {
        return version;
    }

    int windowSeconds() {
        return limits.windowSeconds();
    }

    /** Removes and returns the tallies of the seconds before {@code currentSecond}. */
    java.util.List<Tally> drainBefore(long currentSecond) {
        java.util.List<Tally> done = new java.util.ArrayList<>();
        for (Long second : tallies.keySet()) {
            if (second < currentSecond) {
                int[] counts = tallies.remove(second);
                if (counts != null) {
                    done.add(new Tally(second, counts[0], counts[1], counts[2]));
                }
            }
        }
        return done;
    }

    /**
     * Judges the calls of every replica in the window: at least the minimum number of calls, and
     * the failure rate or the share of slow calls at a limit. Reports a breach once.
     */
    void judgeShared(long calls, long failures, long slow) {
        if (sharedBreach || calls < minimumCalls || calls == 0) {
            return;
        }
        StringBuilder why = new StringBuilder();
        double errorRate = 100.0 * failures / calls;
        double slowRate = 100.0 * slow / calls;
        if (limits.maxErrorRate() != null && errorRate >= Math.max(limits.maxErrorRate() * 100, 0.001)) {
            why.append(String.format(Locale.ROOT, "error rate %.1f%% reached the limit of %.1f%%", errorRate,
                    limits.maxErrorRate() * 100));
        }
        if (limits.maxP99Millis() != null && slowRate >= 1.0) {
            if (!why.isEmpty()) {
                why.append(" and ");
            }
            why.append(String.format(Locale.ROOT, "p99 above %d ms (%.1f%% of calls slower)", limits.maxP99Millis(), slowRate));
        }
        if (!why.isEmpty()) {
            sharedBreach = true;
            onBreach.accept(why.append(String.format(Locale.ROOT, " over %d calls of all replicas in the last %d s",
                    calls, limits.windowSeconds())).toString());
        }
    }

    private String describeBreach() {
        CircuitBreaker.Metrics m = window.getMetrics();
        StringBuilder why = new StringBuilder();
        if (limits.maxErrorRate() != null && m.getFailureRate() >= limits.maxErrorRate() * 100) {
            why.append(String.format(Locale.ROOT, "error rate %.1f%% reached the limit of %.1f%%",
                    m.getFailureRate(), limits.maxErrorRate() * 100));
        }
        if (limits.maxP99Millis() != null && m.getSlowCallRate() >= 1f) {
            if (!why.isEmpty()) {
                why.append(" and ");
            }
            why.append(String.format(Locale.ROOT, "p99 above %d ms (%.1f%% of calls slower)",
                    limits.maxP99Millis(), m.getSlowCallRate()));
        }
        if (why.isEmpty()) {
            why.append("limits breached");
        }
        return why.append(String.format(Locale.ROOT, " over %d calls in the last %d s",
                m.getNumberOfBufferedCalls(), limits.windowSeconds())).toString();
    }
}
