package dev.otimo.compression;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX Runtime CPU session over model bytes, for calibration, evaluation and checks. Runs take
 * and return heap tensors; float outputs come back as {@link TensorData}.
 */
public final class ScoringSession implements AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final long loadNanos;

    private ScoringSession(OrtSession session, long loadNanos) {
        this.session = session;
        this.loadNanos = loadNanos;
    }

    /** Opens a session with {@code intraOpThreads} threads (0: ONNX Runtime's default). */
    public static ScoringSession open(byte[] model, int intraOpThreads) {
        return open(model, intraOpThreads, OrtSession.SessionOptions.OptLevel.ALL_OPT);
    }

    public static ScoringSession open(byte[] model, int intraOpThreads, OrtSession.SessionOptions.OptLevel level) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(level);
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
                options.setInterOpNumThreads(1);
            }
            // Sessions here run side by side; idle threads spinning for work would steal the cores of the
            // session being measured.
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            long start = System.nanoTime();
            OrtSession session = env.createSession(model, options);
            return new ScoringSession(session, System.nanoTime() - start);
        } catch (OrtException e) {
            throw new CompressionException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    public long loadNanos() {
        return loadNanos;
    }

    public OrtSession ortSession() {
        return session;
    }

    public Map<String, NodeInfo> inputs() {
        try {
            return session.getInputInfo();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    public Set<String> outputNames() {
        return session.getOutputNames();
    }

    /** Runs once and returns every float output by name (other output types are skipped). */
    public Map<String, TensorData> run(Map<String, TensorData> inputs) {
        List<OnnxTensor> created = new ArrayList<>();
        try {
            Map<String, OnnxTensor> feed = new LinkedHashMap<>();
            for (Map.Entry<String, TensorData> e : inputs.entrySet()) {
                OnnxTensor t = e.getValue().toOnnxTensor(env);
                created.add(t);
                feed.put(e.getKey(), t);
            }
            Map<String, TensorData> out = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feed)) {
                for (Map.Entry<String, OnnxValue> e : result) {
                    if (e.getValue() instanceof OnnxTensor t && t.getInfo().type == ai.onnxruntime.OnnxJavaType.FLOAT) {
                        FloatBuffer b = t.getFloatBuffer();
                        float[] v = new float[b.remaining()];
                        b.get(v);
                        out.put(e.getKey(), TensorData.ofFloats(v, t.getInfo().getShape()));
                    }
                }
            }
            return out;
        } catch (OrtException e) {
            throw new CompressionException("ONNX Runtime failed to run the model: " + e.getMessage(), e);
        } finally {
            created.forEach(OnnxTensor::close);
        }
    }

    /** Runs with pre-created tensors and discards the outputs; for timing loops. */
    public void runDiscarding(Map<String, OnnxTensor> feed) throws OrtException {
        try (OrtSession.Result ignored = session.run(feed)) {
            // outputs are released on close
        }
    }

    /** The declared shape of a tensor input, with -1 for symbolic dimensions. */
    public static long[] declaredShape(NodeInfo info) {
        return ((TensorInfo) info.getInfo()).getShape();
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
