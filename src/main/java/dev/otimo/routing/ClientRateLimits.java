package dev.otimo.routing;

import dev.otimo.config.ResilienceProperties;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.reactor.ratelimiter.operator.RateLimiterOperator;
import jakarta.annotation.PreDestroy;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A resilience4j rate limiter per client: requests per second, refilled every second, keyed by
 * an abstract client key (the API key when the client sends one, else its address). A request
 * over the limit fails at once with {@link io.github.resilience4j.ratelimiter.RequestNotPermitted}.
 * Limiters idle for ten minutes are dropped.
 */
@Component
public class ClientRateLimits {

    /** The header whose value identifies a client; without it the remote address does. */
    public static final String API_KEY_HEADER = "X-Api-Key";
    private static final long IDLE_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final ResilienceProperties properties;
    private final boolean anyLimit;
    private final ConcurrentHashMap<String, Limiter> limiters = new ConcurrentHashMap<>();
    private final Disposable sweeper;

    private static final class Limiter {
        final RateLimiter limiter;
        volatile long lastUsed = System.nanoTime();

        Limiter(RateLimiter limiter) {
            this.limiter = limiter;
        }
    }

    public ClientRateLimits(ResilienceProperties properties) {
        this.properties = properties;
        this.anyLimit = properties.rateLimitPerSecond() > 0 || properties.clientRateLimits().values().stream().anyMatch(n -> n > 0);
        this.sweeper = Schedulers.boundedElastic().schedulePeriodically(this::sweep, 1, 1, TimeUnit.MINUTES);
    }

    /**
     * {@code call} counted against the limit of the client {@code clientKey} names; unchanged when
     * the client has no limit. The key is only worked out when some client has a limit.
     */
    public <T> Mono<T> limit(Supplier<String> clientKey, Mono<T> call) {
        if (!anyLimit) {
            return call;
        }
        String key = clientKey.get();
        int perSecond = properties.rateLimit(key);
        if (perSecond <= 0) {
            return call;
        }
        Limiter l = limiters.computeIfAbsent(key, k -> new Limiter(RateLimiter.of("client", RateLimiterConfig.custom()
                .limitForPeriod(perSecond)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                // never wait for a permit: waiting would hold the request on the event loop's timer
                .timeoutDuration(Duration.ZERO)
                .writableStackTraceEnabled(false)
                .build())));
        l.lastUsed = System.nanoTime();
        return call.transformDeferred(RateLimiterOperator.of(l.limiter));
    }

    /** Seconds until a limited client gets new permits. */
    public long retryAfterSeconds() {
        return 1;
    }

    private void sweep() {
        long now = System.nanoTime();
        limiters.values().removeIf(l -> now - l.lastUsed > IDLE_NANOS);
    }

    @PreDestroy
    void stop() {
        sweeper.dispose();
    }
}
