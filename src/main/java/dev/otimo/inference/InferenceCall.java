package dev.otimo.inference;

import dev.otimo.api.ApiException;
import dev.otimo.batching.QueueRejectedException;
import dev.otimo.compression.TrafficReservoir;
import dev.otimo.observability.InferenceMetrics;
import dev.otimo.observability.InferenceMetrics.Outcome;
import dev.otimo.observability.VariantStats;
import dev.otimo.registry.VersionStatus;
import dev.otimo.routing.ClientRateLimits;
import dev.otimo.routing.DeploymentShields;
import dev.otimo.routing.Route;
import dev.otimo.routing.Router;
import dev.otimo.routing.ShadowMirror;
import dev.otimo.runtime.Tensor;
import dev.otimo.serving.DeploymentManager;
import dev.otimo.serving.LiveDeployment;
import dev.otimo.serving.ServedModel;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * One inference, whatever transport carried it: route → check against the signature → shields →
 * run → fall back to the primary variant → mirror to the shadow → metrics. A transport finds the
 * {@link Target} (which tells it the signature to decode against), hands over the decoded request
 * and encodes the {@link Answer}; failures arrive as exceptions that {@link FailureKind} classifies,
 * the resilience refusals already turned into what the client is told (429 / 503 with Retry-After).
 * <p>
 * Reads only the in-memory serving table; model runs happen on the deployments' runner threads.
 */
@Component
public class InferenceCall {

    /** How metrics name a request that the routing policy placed. */
    public static final String ROUTED = "routed";
    /** How metrics name a request that named its version. */
    public static final String DIRECT = "direct";
    /**
     * Context key of the executor an answer continues on once its deployment has computed it (the
     * transport's event loop for the request's connection). Without it the answer continues on the
     * runner thread, which then hands every answer of a batch out before it computes the next batch.
     */
    public static final String ANSWER_EXECUTOR = "otimo.inference.answer-executor";

    private final DeploymentManager deployments;
    private final Router router;
    private final DeploymentShields shields;
    private final ClientRateLimits rateLimits;
    private final ShadowMirror shadows;
    private final InferenceMetrics metrics;
    private final VariantStats variantStats;
    private final TrafficReservoir reservoir;
    private final List<InferenceObserver> observers;
    private final boolean answerOnTransport;

    public InferenceCall(DeploymentManager deployments, Router router, DeploymentShields shields, ClientRateLimits rateLimits,
                         ShadowMirror shadows, InferenceMetrics metrics, VariantStats variantStats, TrafficReservoir reservoir,
                         List<InferenceObserver> observers,
                         @Value("${otimo.inference.answer-on-event-loop:true}") boolean answerOnTransport) {
        this.deployments = deployments;
        this.router = router;
        this.shields = shields;
        this.rateLimits = rateLimits;
        this.shadows = shadows;
        this.metrics = metrics;
        this.variantStats = variantStats;
        this.reservoir = reservoir;
        this.observers = List.copyOf(observers);
        this.answerOnTransport = answerOnTransport;
    }

    /** Where a request goes, and how the metrics name its path ({@link #ROUTED} or {@link #DIRECT}). */
    public record Target(Route route, String path) {

        /** The deployment the request is decoded for and first sent to. */
        public LiveDeployment deployment() {
            return route.deployment();
        }
    }

    /** The outputs of a request and the deployment that computed them (the routed one, or the primary it fell back to). */
    public record Answer(LiveDeployment deployment, InferRequest request, List<Tensor> outputs) {
    }

    /**
     * Where a request naming no version goes, by the model's routing policy.
     *
     * @param header the request's header (or metadata) values by name, for the sticky key
     */
    public Target routed(String model, UnaryOperator<String> header) {
        ServedModel served = model(model);
        Route route = router.select(served, header)
                .orElseThrow(() -> notServing(served, "has no deployed version; deploy one first"));
        return new Target(route, ROUTED);
    }

    /** Where a request naming {@code version} goes: that version's deployment, no routing. */
    public Target direct(String model, String version) {
        return new Target(Route.direct(servingDeployment(model, version(model(model), version))), DIRECT);
    }

    /**
     * Runs a request on its target within the client's rate limit. {@code request} is subscribed to
     * once the rate limit admits the call (it may read and decode a body then).
     *
     * @param clientKey the client whose rate limit the call counts against
     */
    public Mono<Answer> call(Target target, Supplier<String> clientKey, Mono<InferRequest> request) {
        long started = System.nanoTime();
        LiveDeployment routed = target.deployment();
        boolean observed = ROUTED.equals(target.path()) && !observers.isEmpty();
        return rateLimits.limit(clientKey, request.flatMap(r -> serve(target.route(), r)))
                .doOnSuccess(a -> {
                    long nanos = System.nanoTime() - started;
                    metrics.record(a.deployment().model(), a.deployment().version(), target.path(), Outcome.SUCCESS, nanos);
                    variantStats.record(a.deployment().model(), a.deployment().version(), nanos);
                    if (observed) {
                        observers.forEach(o -> o.routedCallEnded(a.deployment().model(), a.deployment().version(), nanos,
                                a.request(), a.outputs(), null));
                    }
                })
                .doOnError(e -> {
                    long nanos = System.nanoTime() - started;
                    metrics.record(routed.model(), routed.version(), target.path(), outcome(e), nanos);
                    if (observed) {
                        observers.forEach(o -> o.routedCallEnded(routed.model(), routed.version(), nanos, null, null, e));
                    }
                })
                .onErrorMap(e -> refusal(e, routed));
    }

    /**
     * Runs a decoded request on the route's deployment behind its shields; falls back to the primary
     * variant when the deployment's circuit breaker is open; mirrors the request to the shadow
     * once the client's answer is ready.
     */
    private Mono<Answer> serve(Route route, InferRequest request) {
        LiveDeployment d = route.deployment();
        long started = System.nanoTime();
        Mono<Answer> primary = protectedInfer(d, request)
                .doOnSuccess(outputs -> route.answered(System.nanoTime() - started))
                .doOnError(e -> judgeFailure(route, request, System.nanoTime() - started, e))
                .map(outputs -> answer(d, request, outputs, route));
        LiveDeployment fallback = route.fallback();
        if (fallback == null) {
            return primary;
        }
        return primary.onErrorResume(CallNotPermittedException.class, open -> protectedInfer(fallback, request)
                .map(outputs -> answer(fallback, request, outputs, route))
                .onErrorMap(e -> refusal(e, fallback)));
    }

    private Mono<List<Tensor>> protectedInfer(LiveDeployment d, InferRequest request) {
        SignatureCheck.Checked checked = SignatureCheck.check(d.model(), d.version(), d.signature(), request);
        return shields.protect(d, run(d, checked, request)
                        .onErrorResume(e -> e instanceof QueueRejectedException q && q.queueClosed(), e -> replacement(d)
                                .map(now -> run(now, checked, request))
                                .orElse(Mono.error(e))))
                // only inputs the model answered are kept for calibration and fidelity checks
                .doOnSuccess(outputs -> reservoir.offer(d.model(), checked.inputs()));
    }

    private Mono<List<Tensor>> run(LiveDeployment d, SignatureCheck.Checked checked, InferRequest request) {
        return Mono.deferContextual(context -> {
            Mono<List<Tensor>> outputs = d.infer(checked.inputs(), checked.outputs(), checked.rows(), checked.shapeKey(),
                    request.priority(), request.timeoutMicros());
            Executor answerOn = answerOnTransport ? context.getOrDefault(ANSWER_EXECUTOR, null) : null;
            return answerOn == null ? outputs : outputs.publishOn(Schedulers.fromExecutor(answerOn));
        });
    }

    /** The same request checked against and run on another deployment (the primary, a shadow). */
    private Mono<List<Tensor>> rerun(LiveDeployment d, InferRequest request) {
        return Mono.defer(() -> run(d, SignatureCheck.check(d.model(), d.version(), d.signature(), request), request));
    }

    /**
     * Reports a failure to the route's canary guard. One the request's values triggered counts
     * against a guarded canary only when the primary variant answers the same inputs; the check
     * runs on the primary's runner after the client has its answer, and its result goes nowhere else.
     */
    private void judgeFailure(Route route, InferRequest request, long nanos, Throwable e) {
        if (FailureKind.of(e) != FailureKind.INPUT_TRIGGERED || !route.comparesInputFailures()) {
            route.failed(nanos, e);
            return;
        }
        rerun(route.fallback(), request)
                .subscribe(outputs -> route.failedWherePrimaryAnswered(nanos, e), primaryFailedToo -> { });
    }

    private Answer answer(LiveDeployment d, InferRequest request, List<Tensor> outputs, Route route) {
        LiveDeployment shadow = route.shadow();
        if (shadow != null && shadow != d) {
            shadows.mirror(shadow, rerun(shadow, request), outputs, shadowOutputs -> observers.forEach(o ->
                    o.shadowAnswered(d.model(), d.version(), outputs, shadow.version(), shadowOutputs)));
        }
        return new Answer(d, request, outputs);
    }

    /** The deployment now serving the same version, when a version swap closed {@code old} under a request. */
    private Optional<LiveDeployment> replacement(LiveDeployment old) {
        return deployments.model(old.model()).flatMap(m -> m.version(old.version()))
                .map(ServedModel.VersionEntry::deployment)
                .filter(now -> now != old && now.isReady());
    }

    /** Resilience refusals as the client sees them: 429 or 503 with Retry-After and what to do. */
    private Throwable refusal(Throwable e, LiveDeployment d) {
        String who = "model '" + d.model() + "' version " + d.version();
        if (e instanceof CallNotPermittedException) {
            return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, who + " is failing and its circuit breaker is open; "
                    + "retry later or call another version", shields.shield(d).retryAfterSeconds());
        }
        if (e instanceof TimeoutException) {
            return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, who + " did not answer within its time limit of "
                    + shields.shield(d).timeLimit().toMillis() + " ms (otimo.resilience.time-limit)", 1L);
        }
        if (e instanceof BulkheadFullException) {
            return new ApiException(HttpStatus.TOO_MANY_REQUESTS, who + " already holds " + shields.shield(d).maxConcurrentCalls()
                    + " requests (otimo.resilience.bulkhead-max-concurrent); retry later", 1L);
        }
        if (e instanceof RequestNotPermitted) {
            return new ApiException(HttpStatus.TOO_MANY_REQUESTS, "this client's rate limit is reached "
                    + "(otimo.resilience.rate-limit-per-second); retry later", rateLimits.retryAfterSeconds());
        }
        return e;
    }

    private static Outcome outcome(Throwable e) {
        return switch (FailureKind.of(e)) {
            case CLIENT, INPUT_TRIGGERED -> Outcome.CLIENT_ERROR;
            case OVERLOAD -> Outcome.REJECTED;
            case TIMEOUT -> Outcome.TIMEOUT;
            case SERVER -> Outcome.SERVER_ERROR;
        };
    }

    /** Why no version of the model takes requests: a deployment that lost its runner says so, else {@code otherwise}. */
    private static ApiException notServing(ServedModel served, String otherwise) {
        for (ServedModel.VersionEntry v : served.versions().values()) {
            LiveDeployment d = v.deployment();
            if (d != null && d.runnerStopped()) {
                return ApiException.unavailable("model '" + served.name() + "' version " + v.number()
                        + " no longer serves: " + d.error() + "; redeploy it");
            }
        }
        return ApiException.unavailable("model '" + served.name() + "' " + otherwise);
    }

    /** A model in the serving table, or 404. */
    public ServedModel model(String model) {
        return deployments.model(model).orElseThrow(() -> ApiException.notFound("unknown model '" + model + "'"));
    }

    /** A version of {@code served} named as the client wrote it, or 404. */
    public static ServedModel.VersionEntry version(ServedModel served, String version) {
        int number;
        try {
            number = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw ApiException.notFound("model '" + served.name() + "' has no version '" + version + "' (versions are numbers)");
        }
        return served.version(number).orElseThrow(() ->
                ApiException.notFound("model '" + served.name() + "' has no version " + number));
    }

    private static LiveDeployment servingDeployment(String model, ServedModel.VersionEntry entry) {
        LiveDeployment d = entry.deployment();
        if (d == null) {
            throw ApiException.unavailable("model '" + model + "' version " + entry.number() + " is not deployed"
                    + (entry.status() == VersionStatus.READY ? "; deploy it first" : " (status " + entry.status() + ")"));
        }
        if (!d.isReady()) {
            throw ApiException.unavailable("model '" + model + "' version " + entry.number()
                    + (d.runnerStopped() ? " no longer serves: " : " failed to load: ") + d.error());
        }
        return d;
    }
}
