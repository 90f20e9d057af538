package dev.otimo.routing;

import dev.otimo.config.ResilienceProperties;
import dev.otimo.inference.FailureKind;
import dev.otimo.serving.DeploymentManager;
import dev.otimo.serving.LiveDeployment;
import dev.otimo.serving.ServedModel;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import jakarta.annotation.PreDestroy;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Per live deployment a bulkhead (requests held at once), a circuit breaker (fails fast while the
 * deployment keeps failing) and a time limit around its inference, all resilience4j. A redeployed
 * version starts with fresh ones. Client errors and overload refusals never count as failures.
 */
@Component
public class DeploymentShields {

    private final ResilienceProperties properties;
    private final DeploymentManager deployments;
    private final BulkheadConfig bulkhead;
    private final CircuitBreakerConfig breaker;
    private final ConcurrentHashMap<LiveDeployment, Shield> shields = new ConcurrentHashMap<>();
    private final Disposable sweeper;

    /** The three guards of one deployment. */
    public record Shield(Bulkhead bulkhead, CircuitBreaker breaker, TimeLimiter timeLimiter) {

        <T> Mono<T> protect(Mono<T> call) {
            // the breaker outermost: when open nothing below runs; the time limit covers the bulkhead wait too
            return call.transformDeferred(BulkheadOperator.of(bulkhead))
                    .transformDeferred(TimeLimiterOperator.of(timeLimiter))
                    .transformDeferred(CircuitBreakerOperator.of(breaker));
        }

        public Duration timeLimit() {
            return timeLimiter.getTimeLimiterConfig().getTimeoutDuration();
        }

        /** Seconds a client should wait before trying a deployment whose breaker is open. */
        public long retryAfterSeconds() {
            return Math.max(1, (long) Math.ceil(breaker.getCircuitBreakerConfig()
                    .getWaitIntervalFunctionInOpenState().apply(1) / 1000.0));
        }

        public int maxConcurrentCalls() {
            return bulkhead.getBulkheadConfig().getMaxConcurrentCalls();
        }
    }

    public DeploymentShields(ResilienceProperties properties, DeploymentManager deployments) {
        this.properties = properties;
        this.deployments = deployments;
        this.bulkhead = BulkheadConfig.custom()
                .maxConcurrentCalls(properties.bulkheadMaxConcurrent())
                // never wait for a permit: waiting would block the event loop
                .maxWaitDuration(Duration.ZERO)
                .writableStackTraceEnabled(false)
                .build();
        ResilienceProperties.Breaker b = properties.breaker();
        this.breaker = CircuitBreakerConfig.custom()
                .slidingWindow(b.slidingWindowCalls(), b.minimumCalls(), CircuitBreakerConfig.SlidingWindowType.COUNT_BASED,
                        CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.LOCK_FREE)
                .failureRateThreshold(b.failureRateThreshold())
                .slowCallRateThreshold(b.slowCallRateThreshold())
                .slowCallDurationThreshold(b.slowCallDuration())
                .waitDurationInOpenState(b.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls())
                .ignoreException(DeploymentShields::isNotAFailure)
                .writableStackTraceEnabled(false)
                .build();
        this.sweeper = Schedulers.boundedElastic().schedulePeriodically(this::sweep, 30, 30, TimeUnit.SECONDS);
    }

    /** {@code call} (the deployment's inference) behind the deployment's bulkhead, circuit breaker and time limit. */
    public <T> Mono<T> protect(LiveDeployment deployment, Mono<T> call) {
        return shield(deployment).protect(call);
    }

    public Shield shield(LiveDeployment deployment) {
        Shield shield = shields.get(deployment);
        return shield != null ? shield : shields.computeIfAbsent(deployment, this::create);
    }

    /**
     * Bad inputs (the model refused their values, or they broke a rule) and overload refusals say
     * nothing about the deployment's health ({@link FailureKind}).
     */
    static boolean isNotAFailure(Throwable e) {
        return !FailureKind.of(e).countsAgainstDeployment();
    }

    private Shield create(LiveDeployment d) {
        String name = d.model() + "-v" + d.version();
        return new Shield(Bulkhead.of(name, bulkhead), CircuitBreaker.of(name, breaker),
                TimeLimiter.of(name, TimeLimiterConfig.custom().timeoutDuration(properties.timeLimit(d.model())).build()));
    }

    /** Drops the shields of deployments that no longer serve. */
    void sweep() {
        Set<LiveDeployment> live = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ServedModel m : deployments.table().values()) {
            for (ServedModel.VersionEntry v : m.versions().values()) {
                if (v.deployment() != null) {
                    live.add(v.deployment());
                }
            }
        }
        shields.keySet().removeIf(d -> !live.contains(d));
    }

    @PreDestroy
    void stop() {
        sweeper.dispose();
    }
}
