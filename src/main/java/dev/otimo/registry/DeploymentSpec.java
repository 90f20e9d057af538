package dev.otimo.registry;

import dev.otimo.batching.BatchingPolicy;
import dev.otimo.runtime.Device;

/**
 * What an operator asks for when deploying a version.
 *
 * @param device         cpu, cuda[:id] or tensorrt[:id]
 * @param instances      runner threads feeding from the deployment's queue (1..64)
 * @param intraOpThreads ONNX Runtime threads per operator (0: runtime default)
 * @param batching       the batching policy
 */
public record DeploymentSpec(String device, int instances, int intraOpThreads, BatchingPolicy batching) {

    /** Checks every field and returns the spec with the device normalised. */
    public DeploymentSpec validated() {
        Device parsed = Device.parse(device);
        if (instances < 1 || instances > 64) {
            throw new IllegalArgumentException("instances must be between 1 and 64, was " + instances);
        }
        if (intraOpThreads < 0 || intraOpThreads > 256) {
            throw new IllegalArgumentException("intraOpThreads must be between 0 and 256, was " + intraOpThreads);
        }
        return new DeploymentSpec(parsed.toString(), instances, intraOpThreads, batching.validated());
    }
}
