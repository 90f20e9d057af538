package dev.otimo.inference;

import dev.otimo.api.ApiException;
import dev.otimo.runtime.DataType;
import dev.otimo.runtime.Signature;
import dev.otimo.runtime.Tensor;
import dev.otimo.runtime.TensorSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a decoded request against the model's signature and works out how it batches: its rows
 * along axis 0 and the key of its other dimensions.
 */
public final class SignatureCheck {

    private SignatureCheck() {
    }

    /** A request that matches its model: inputs in signature order, outputs wanted, rows and shape key. */
    public record Checked(List<Tensor> inputs, Set<String> outputs, int rows, String shapeKey) {
    }

    /**
     * Refuses one input the signature does not take: an unknown name, another datatype or a shape
     * it does not admit. Cheap, and run by the decoder before it reads the input's data.
     *
     * @param who the model and version for the message, or null for "the model"
     */
    public static void checkInput(Signature signature, String name, DataType datatype, long[] shape, String who) {
        String model = who == null ? "the model" : who;
        TensorSpec spec = signature.input(name).orElseThrow(() -> ApiException.badRequest("unknown input '" + name
                + "'; " + model + " takes " + signature.inputs().stream().map(TensorSpec::toString).toList()));
        if (datatype != spec.datatype()) {
            throw ApiException.badRequest("input '" + name + "' must be " + spec.datatype()
                    + " but the request says " + datatype);
        }
        if (!spec.admits(shape)) {
            throw ApiException.badRequest("input '" + name + "' has shape " + Arrays.toString(shape)
                    + " but " + model + " expects " + Arrays.toString(spec.shape()) + " (-1 = any size)");
        }
    }

    public static Checked check(String model, int version, Signature signature, InferRequest request) {
        String who = "model '" + model + "' version " + version;
        Map<String, Tensor> byName = new HashMap<>();
        for (Tensor t : request.inputs()) {
            if (byName.put(t.name(), t) != null) {
                throw ApiException.badRequest("input '" + t.name() + "' is given twice");
            }
            checkInput(signature, t.name(), t.datatype(), t.shape(), who);
        }
        List<Tensor> ordered = new ArrayList<>(signature.inputs().size());
        StringBuilder shapeKey = new StringBuilder();
        long rows = -1;
        for (TensorSpec spec : signature.inputs()) {
            Tensor t = byName.get(spec.name());
            if (t == null) {
                throw ApiException.badRequest("missing input '" + spec.name() + "' (" + spec.datatype() + " "
                        + Arrays.toString(spec.shape()) + ") required by " + who);
            }
            long[] shape = t.shape();
            if (signature.batchable()) {
                if (rows >= 0 && shape[0] != rows) {
                    throw ApiException.badRequest("input '" + spec.name() + "' has " + shape[0]
                            + " rows along axis 0 but other inputs have " + rows);
                }
                rows = shape[0];
            }
            shapeKey.append(spec.name()).append(':');
            for (int i = signature.batchable() ? 1 : 0; i < shape.length; i++) {
                shapeKey.append(shape[i]).append('x');
            }
            shapeKey.append(';');
            ordered.add(t);
        }
        if (signature.batchable() && rows == 0) {
            throw ApiException.badRequest("the request has 0 rows along the batch axis; send at least one");
        }
        if (rows > Integer.MAX_VALUE) {
            throw ApiException.badRequest("too many rows: " + rows);
        }
        Set<String> outputs = new LinkedHashSet<>();
        for (RequestedOutput o : request.outputs()) {
            if (signature.output(o.name()).isEmpty()) {
                throw ApiException.badRequest("unknown output '" + o.name() + "'; " + who + " has outputs "
                        + signature.outputs().stream().map(TensorSpec::name).toList());
            }
            outputs.add(o.name());
        }
        return new Checked(ordered, outputs, signature.batchable() ? (int) rows : 1, shapeKey.toString());
    }
}
