package dev.otimo.experiments;

import dev.otimo.inference.FailureKind;
import dev.otimo.inference.InferRequest;
import dev.otimo.inference.InferenceObserver;
import dev.otimo.runtime.Tensor;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Objects;

/**
 * Where the request path reports to experiments: one call per routed request when it ends, one per shadowed
 * request when the shadow has answered. Both read only memory and never block; a model without an open
 * experiment costs one map lookup.
 *
 * <p>Which requests count: those answered or failed by one of the experiment's arms. A failure counts as the
 * arm's error unless {@link FailureKind} says the client caused it (a bad request is no evidence about a
 * version); time-outs, overload refusals and server failures count. An answered request with an {@code id}
 * leaves its prediction in the {@link OutcomeStore}, for an outcome reported later.
 */
@Component
public class ExperimentTraffic implements InferenceObserver {

    private final LiveExperiments live;
    private final OutcomeStore outcomes;

    public ExperimentTraffic(LiveExperiments live, OutcomeStore outcomes) {
        this.live = live;
        this.outcomes = outcomes;
    }

    @Override
    public void routedCallEnded(String model, int version, long nanos, InferRequest request, List<Tensor> outputs,
                                Throwable failure) {
        record(model, version, nanos, failure, failure == null ? request.id() : null, outputs);
    }

    @Override
    public void shadowAnswered(String model, int answeredVersion, List<Tensor> answered, int shadowVersion,
                               List<Tensor> shadowOutputs) {
        shadowed(model, answeredVersion, answered, shadowVersion, shadowOutputs);
    }

    /**
     * A routed request of {@code model} ended on {@code version} after {@code nanos}: with {@code outputs} when it
     * was answered, with {@code failure} when it was not.
     *
     * @param requestId the v2 request's {@code id}, or null
     */
    public void record(String model, int version, long nanos, Throwable failure, String requestId, List<Tensor> outputs) {
        LiveExperiment experiment = live.of(model);
        if (experiment == null || !experiment.hasArm(version)) {
            return;
        }
        if (failure != null) {
            if (!FailureKind.of(failure).causedByClient()) {
                experiment.recordRequest(version, true, nanos);
            }
            return;
        }
        experiment.recordRequest(version, false, nanos);
        if (requestId != null && !requestId.isEmpty() && outputs != null) {
            Prediction prediction = Prediction.of(outputs);
            if (prediction != null) {
                outcomes.put(model, requestId, experiment.id(), version, prediction);
            }
        }
    }

    /**
     * The shadow {@code shadowVersion} answered a copy of a request that {@code answeredVersion} served: when one
     * of them is the control and the other an arm, whether their top-1 classes agree is counted for the arm.
     */
    public void shadowed(String model, int answeredVersion, List<Tensor> answered, int shadowVersion, List<Tensor> shadow) {
        LiveExperiment experiment = live.of(model);
        if (experiment == null || !experiment.hasArm(answeredVersion) || !experiment.hasArm(shadowVersion)) {
            return;
        }
        int control = experiment.control();
        int variant;
        if (answeredVersion == control) {
            variant = shadowVersion;
        } else if (shadowVersion == control) {
            variant = answeredVersion;
        } else {
            return;
        }
        Prediction a = Prediction.of(answered);
        Prediction b = Prediction.of(shadow);
        if (a != null && b != null && !a.numeric() && !b.numeric()) {
            experiment.recordAgreement(variant, Objects.equals(a.label(), b.label()));
        }
    }
}
