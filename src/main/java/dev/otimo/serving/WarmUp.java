package dev.otimo.serving;

import dev.otimo.runtime.DataType;
import dev.otimo.runtime.Signature;
import dev.otimo.runtime.Tensor;
import dev.otimo.runtime.TensorSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a new deployment a few times on inputs drawn from its signature (dynamic dims set to 1,
 * zero-filled) before it takes traffic, so the first client does not pay for lazy initialisation.
 */
final class WarmUp {

    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

    private WarmUp() {
    }

    static void run(LiveDeployment deployment, int runs) {
        if (runs <= 0) {
            return;
        }
        List<Tensor> inputs = inputsFor(deployment.signature());
        try {
            for (int i = 0; i < runs; i++) {
                deployment.runDirect(inputs);
            }
        } catch (Exception e) {
            // some models reject zeros (e.g. index inputs); they still serve real requests
            log.warn("warm-up of {} v{} failed: {}", deployment.model(), deployment.version(), e.getMessage());
        }
    }

    static List<Tensor> inputsFor(Signature signature) {
        List<Tensor> inputs = new ArrayList<>();
        for (TensorSpec spec : signature.inputs()) {
            long[] shape = spec.shape();
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0) {
                    shape[i] = 1;
                }
            }
            int count = (int) Tensor.elementCount(shape);
            if (spec.datatype() == DataType.BYTES) {
                byte[][] elements = new byte[count][];
                java.util.Arrays.fill(elements, new byte[0]);
                inputs.add(Tensor.ofBytes(spec.name(), shape, elements));
            } else {
                ByteBuffer zeros = ByteBuffer.allocate(count * spec.datatype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
                inputs.add(Tensor.of(spec.name(), spec.datatype(), shape, zeros));
            }
        }
        return inputs;
    }
}
