package dev.otimo.routing;

import dev.otimo.batching.QueueRejectedException;
import dev.otimo.observability.RoutingMetrics;
import dev.otimo.runtime.Tensor;
import dev.otimo.serving.LiveDeployment;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Sends a copy of a served request to the shadow version and forgets it: the client has its answer
 * already. The shadow's outcome, latency and divergence from the primary's outputs go to
 * {@link RoutingMetrics}; its outputs go nowhere else.
 */
@Component
public class ShadowMirror {

    /** Shadow outcomes as tagged on {@code otimo.shadow.requests}. */
    public static final String SUCCESS = "success";
    public static final String ERROR = "error";
    public static final String TIMEOUT = "timeout";
    public static final String REJECTED = "rejected";

    private final DeploymentShields shields;
    private final RoutingMetrics metrics;

    public ShadowMirror(DeploymentShields shields, RoutingMetrics metrics) {
        this.shields = shields;
        this.metrics = metrics;
    }

    /**
     * Subscribes to {@code call} (the shadow's inference, checked against its own signature
     * lazily) behind the shadow deployment's shields, and records how it went against the
     * primary's {@code primaryOutputs}; the shadow's outputs, when it answers, also go to {@code answered}.
     * Returns at once.
     */
    public void mirror(LiveDeployment shadow, Mono<List<Tensor>> call, List<Tensor> primaryOutputs,
                       Consumer<List<Tensor>> answered) {
        long started = System.nanoTime();
        shields.protect(shadow, call).subscribe(
                outputs -> {
                    metrics.shadowAnswered(shadow.model(), shadow.version(), SUCCESS, System.nanoTime() - started);
                    OutputDivergence.between(primaryOutputs, outputs).ifPresent(d ->
                            metrics.shadowDiverged(shadow.model(), shadow.version(), d.maxAbsDiff(), d.cosine()));
                    answered.accept(outputs);
                },
                error -> metrics.shadowAnswered(shadow.model(), shadow.version(), outcome(error), System.nanoTime() - started));
    }

    static String outcome(Throwable error) {
        if (error instanceof TimeoutException) {
            return TIMEOUT;
        }
        if (error instanceof QueueRejectedException || error instanceof BulkheadFullException
                || error instanceof CallNotPermittedException) {
            return REJECTED;
        }
        return ERROR;
    }
}
