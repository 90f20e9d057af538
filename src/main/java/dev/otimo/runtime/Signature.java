package dev.otimo.runtime;

import java.util.List;
import java.util.Optional;

/**
 * The inputs and outputs of a model, in graph order. {@code batchable} says whether requests can
 * be stacked along axis 0: every input and output has a dynamic first axis and it is the same
 * symbolic dimension for all of them (decided from the ONNX graph by the model inspector).
 */
public record Signature(List<TensorSpec> inputs, List<TensorSpec> outputs, boolean batchable) {

    public Signature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public Optional<TensorSpec> input(String name) {
        return inputs.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public Optional<TensorSpec> output(String name) {
        return outputs.stream().filter(t -> t.name().equals(name)).findFirst();
    }

}
