package dev.otimo.serving;

import dev.otimo.batching.BatchListener;
import dev.otimo.batching.Batcher;
import dev.otimo.batching.BatchingPolicy;
import dev.otimo.registry.DeploymentSpec;
import dev.otimo.runtime.ModelSession;
import dev.otimo.runtime.Placement;
import dev.otimo.runtime.Signature;
import dev.otimo.runtime.Tensor;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A version being served: its session, its batcher and where it runs. Created loaded and warmed
 * up; {@link #close()} drains the queue and then closes the session. It stops serving, for good,
 * when it failed to load or when one of its runner threads stopped.
 */
public final class LiveDeployment implements AutoCloseable {

    /** Serving state as the admin API and v2 readiness report it. */
    public enum State { LOADING, READY, FAILED }

    private final String model;
    private final int version;
    private final DeploymentSpec spec;
    private final Instant configuredAt;
    private final Signature signature;
    private final ModelSession session;
    private final Batcher batcher;
    private final String error;

    private LiveDeployment(String model, int version, DeploymentSpec spec, Instant configuredAt, Signature signature,
                           ModelSession session, Batcher batcher, String error) {
        this.model = model;
        this.version = version;
        this.spec = spec;
        this.configuredAt = configuredAt;
        this.signature = signature;
        this.session = session;
        this.batcher = batcher;
        this.error = error;
    }

    static LiveDeployment serving(String model, int version, DeploymentSpec spec, Instant configuredAt,
                                  ModelSession session, BatchListener listener) {
        BatchingPolicy policy = session.signature().batchable() ? spec.batching()
                : new BatchingPolicy(1, 0, List.of(), spec.batching().queueCapacity(),
                spec.batching().defaultTimeoutMicros(), spec.batching().priorityLevels());
        Batcher batcher = new Batcher(model + "-v" + version, policy, spec.instances(), session::run, listener);
        return new LiveDeployment(model, version, spec, configuredAt, session.signature(), session, batcher, null);
    }

    static LiveDeployment failed(String model, int version, DeploymentSpec spec, Instant configuredAt,
                                 Signature signature, String error) {
        return new LiveDeployment(model, version, spec, configuredAt, signature, null, null, error);
    }

    public String model() {
        return model;
    }

    public int version() {
        return version;
    }

    public DeploymentSpec spec() {
        return spec;
    }

    Instant configuredAt() {
        return configuredAt;
    }

    public Signature signature() {
        return signature;
    }

    public State state() {
        return isReady() ? State.READY : State.FAILED;
    }

    /** True while it serves: loaded, and every runner thread running. */
    public boolean isReady() {
        return session != null && !runnerStopped();
    }

    /** True when it was serving and a runner thread has stopped since. */
    public boolean runnerStopped() {
        return batcher != null && batcher.stopReason().isPresent();
    }

    /** Why it does not serve (loading failed, or {@code runner thread stopped: <cause>}); null when serving. */
    public String error() {
        return error != null ? error : batcher == null ? null : batcher.stopReason().orElse(null);
    }

    /** Where the session runs, e.g. {@code cpu (fallback: ...)}; null when loading failed. */
    public Placement placement() {
        return session == null ? null : session.placement();
    }

    /** True when requests are stacked along axis 0 (the signature allows it and the policy asks). */
    public boolean batches() {
        return batcher != null && batcher.policy().maxBatchSize() > 1;
    }

    public int queueDepth() {
        return batcher == null ? 0 : batcher.queueDepth();
    }

    /**
     * Queues validated inputs.
     *
     * @param rows     rows along axis 0 (1 when the model is not batchable)
     * @param shapeKey the non-batch dims of the inputs: only equal keys share a batch
     */
    public Mono<List<Tensor>> infer(List<Tensor> inputs, Set<String> outputs, int rows, String shapeKey,
                                    int priority, long timeoutMicros) {
        if (batcher == null) {
            return Mono.error(new IllegalStateException("deployment failed to load: " + error));
        }
        return batcher.submit(inputs, outputs, rows, shapeKey, priority, timeoutMicros);
    }

    /** Runs the session directly on the calling thread; for warm-up and benchmarks, not for the hot path. */
    List<Tensor> runDirect(List<Tensor> inputs) throws Exception {
        return session.run(inputs, Set.of());
    }

    @Override
    public void close() {
        if (batcher != null) {
            batcher.shutdown(Duration.ofSeconds(30));
        }
        if (session != null) {
            session.close();
        }
    }
}
