package dev.otimo.inference;

import dev.otimo.runtime.Tensor;

import java.util.List;

/**
 * Hears how inferences end, on the request path: what is built on traffic (experiments) without the
 * pipeline knowing it. Implementations read and write memory only and never block.
 */
public interface InferenceObserver {

    /**
     * A request the routing policy placed ended on {@code version} after {@code nanos}: answered with
     * {@code outputs}, or failed with {@code failure} (then {@code outputs} is null).
     */
    void routedCallEnded(String model, int version, long nanos, InferRequest request, List<Tensor> outputs, Throwable failure);

    /** The shadow {@code shadowVersion} answered the copy of a request that {@code answeredVersion} served. */
    void shadowAnswered(String model, int answeredVersion, List<Tensor> answered, int shadowVersion, List<Tensor> shadowOutputs);
}
