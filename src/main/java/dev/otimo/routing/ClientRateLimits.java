package dev.otimo.routing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.otimo.config.ResilienceProperties;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.reactor.ratelimiter.operator.RateLimiterOperator;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * A resilience4j rate limiter per client: requests per second, refilled every second, keyed by
 * an abstract client key (a verified API key, else the client's address; see
 * {@link dev.otimo.security.ClientIdentity}). A request over the limit fails at once with
 * {@link io.github.resilience4j.ratelimiter.RequestNotPermitted}. At most
 * {@code otimo.resilience.max-tracked-clients} limiters are kept, the least recently used
 * dropped first, and none idle for more than ten minutes: however many clients turn up, memory
 * stays bounded.
 */
@Component
public class ClientRateLimits {

    private static final Duration IDLE = Duration.ofMinutes(10);

    private final ResilienceProperties properties;
    private final boolean anyLimit;
    private final Cache<String, RateLimiter> limiters;

    public ClientRateLimits(ResilienceProperties properties) {
        this.properties = properties;
        this.anyLimit = properties.rateLimitPerSecond() > 0 || properties.clientRateLimits().values().stream().anyMatch(n -> n > 0);
        this.limiters = Caffeine.newBuilder()
                .maximumSize(properties.maxTrackedClients())
                .expireAfterAccess(IDLE)
                .build();
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
        RateLimiter limiter = limiters.get(key, k -> RateLimiter.of("client", RateLimiterConfig.custom()
                .limitForPeriod(perSecond)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                // never wait for a permit: waiting would hold the request on the event loop's timer
                .timeoutDuration(Duration.ZERO)
                .writableStackTraceEnabled(false)
                .build()));
        return call.transformDeferred(RateLimiterOperator.of(limiter));
    }

    /** How many clients have a limiter right now. */
    long trackedClients() {
        limiters.cleanUp();
        return limiters.estimatedSize();
    }

    /** Seconds until a limited client gets new permits. */
    public long retryAfterSeconds() {
        return 1;
    }
}
