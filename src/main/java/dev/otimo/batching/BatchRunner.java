package dev.otimo.batching;

import dev.otimo.runtime.Tensor;

import java.util.List;
import java.util.Set;

/** What the batcher calls to compute a batch: the deployment's session. */
@FunctionalInterface
public interface BatchRunner {
    /** Runs the model on the (stacked) inputs; {@code outputs} empty means all outputs. */
    List<Tensor> run(List<Tensor> inputs, Set<String> outputs) throws Exception;
}
