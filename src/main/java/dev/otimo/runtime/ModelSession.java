package dev.otimo.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One loaded ONNX Runtime session with the model's v2 signature and its placement. Thread-safe:
 * ONNX Runtime allows concurrent {@code run} calls on one session. Callers run it on dedicated
 * runner threads, never on an event-loop thread.
 */
public final class ModelSession implements AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final Signature signature;
    private final Placement placement;
    private final Map<String, String> sessionNames;

    ModelSession(OrtEnvironment env, OrtSession session, Signature signature, Placement placement,
                 Map<String, String> sessionNames) {
        this.env = env;
        this.session = session;
        this.signature = signature;
        this.placement = placement;
        this.sessionNames = Map.copyOf(sessionNames);
    }

    public Signature signature() {
        return signature;
    }

    public Placement placement() {
        return placement;
    }

    /**
     * Runs the model. Inputs are named as in the signature; the result holds the requested outputs
     * (all when {@code outputs} is empty) in signature order.
     *
     * @throws OrtException when ONNX Runtime rejects the inputs or fails
     */
    public List<Tensor> run(List<Tensor> inputs, Set<String> outputs) throws OrtException {
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            for (Tensor t : inputs) {
                feed.put(sessionName(t.name()), OrtTensors.toOrt(env, t));
            }
            Set<String> wanted = new LinkedHashSet<>();
            List<TensorSpec> specs = new ArrayList<>();
            for (TensorSpec spec : signature.outputs()) {
                if (outputs.isEmpty() || outputs.contains(spec.name())) {
                    wanted.add(sessionName(spec.name()));
                    specs.add(spec);
                }
            }
            try (OrtSession.Result result = session.run(feed, wanted)) {
                List<Tensor> out = new ArrayList<>(specs.size());
                for (TensorSpec spec : specs) {
                    OnnxValue value = result.get(sessionName(spec.name())).orElseThrow();
                    out.add(OrtTensors.fromOrt(spec.name(), spec.datatype(), (OnnxTensor) value));
                }
                return out;
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    private String sessionName(String name) {
        return sessionNames.getOrDefault(name, name);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing session failed", e);
        }
    }
}
