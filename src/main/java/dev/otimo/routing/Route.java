package dev.otimo.routing;

import dev.otimo.serving.LiveDeployment;

/**
 * Where one inference request goes: the deployment that should serve it, the primary variant to
 * fall back to when that deployment's circuit breaker is open, the shadow deployment that gets a
 * copy, and the canary guard its outcome is reported to. All but the deployment may be null.
 */
public final class Route {

    private final LiveDeployment deployment;
    private final LiveDeployment fallback;
    private final LiveDeployment shadow;
    private final CanaryGuard guard;

    Route(LiveDeployment deployment, LiveDeployment fallback, LiveDeployment shadow, CanaryGuard guard) {
        this.deployment = deployment;
        this.fallback = fallback;
        this.shadow = shadow;
        this.guard = guard;
    }

    /** A request naming its version: no fallback, no shadow, no guard. */
    public static Route direct(LiveDeployment deployment) {
        return new Route(deployment, null, null, null);
    }

    public LiveDeployment deployment() {
        return deployment;
    }

    /** The primary variant, when it is not {@link #deployment()} itself; else null. */
    public LiveDeployment fallback() {
        return fallback;
    }

    /** The deployment that gets an asynchronous copy of this request, or null. */
    public LiveDeployment shadow() {
        return shadow;
    }

    /** Reports that {@link #deployment()} answered, after {@code nanos} of inference. */
    public void answered(long nanos) {
        if (guard != null) {
            guard.recordSuccess(nanos);
        }
    }

    /** Reports that {@link #deployment()} failed the request after {@code nanos}. */
    public void failed(long nanos, Throwable error) {
        if (guard != null) {
            guard.recordFailure(nanos, error);
        }
    }

    /**
     * Whether a failure the request's values triggered should be tried on the primary variant: it
     * counts against a guarded canary only when the primary serves the same inputs.
     */
    public boolean comparesInputFailures() {
        return guard != null && fallback != null;
    }

    /** Reports that {@link #deployment()} failed inputs that the primary variant served. */
    public void failedWherePrimaryAnswered(long nanos, Throwable error) {
        if (guard != null) {
            guard.recordRegression(nanos, error);
        }
    }
}
