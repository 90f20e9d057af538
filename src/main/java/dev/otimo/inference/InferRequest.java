package dev.otimo.inference;

import dev.otimo.runtime.Tensor;

import java.util.List;

/**
 * A decoded v2 inference request.
 *
 * @param id               echoed in the response (may be null)
 * @param inputs           tensors with their data in primitive buffers
 * @param outputs          outputs asked for; empty means all
 * @param priority         schedule-policy priority, 1 = highest (0: default)
 * @param timeoutMicros    schedule-policy timeout in µs (0: the deployment's default)
 * @param binaryDataOutput all outputs as binary data
 */
public record InferRequest(String id, List<Tensor> inputs, List<RequestedOutput> outputs, int priority,
                           long timeoutMicros, boolean binaryDataOutput) {
}
