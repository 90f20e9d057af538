package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Observes the value range of chosen tensors while the float model runs on calibration samples.
 * The tensors are exposed as extra graph outputs of a copy of the model. {@code minmax} keeps the
 * extremes; {@code percentile} makes a second pass that fills a histogram per tensor over the
 * min-max range and clips both tails at the given percentile, which ignores rare outliers.
 */
final class ActivationCalibrator {

    static final int BINS = 2048;

    /** The observed range of one tensor. */
    record Range(float min, float max) {
    }

    private ActivationCalibrator() {
    }

    /**
     * The rank of each of {@code tensors} (float tensors inside the graph), observed by running the model on
     * the first calibration sample; a tensor that is not float is left out.
     */
    static Map<String, Integer> ranks(ModelProto model, Set<String> tensors, CalibrationData data) {
        Set<String> inputs = inputNames(model);
        CalibrationData first = new CalibrationData(data.samples().subList(0, 1), data.source());
        Map<String, Integer> out = new LinkedHashMap<>();
        try (ScoringSession session = ScoringSession.open(augment(model, tensors, inputs), 1)) {
            forEachSample(session, first, tensors, inputs, (name, values, shape) -> out.put(name, shape.length));
        }
        return out;
    }

    /**
     * The largest magnitude of each channel (axis 1) of {@code tensors} over all calibration samples, and
     * with it each tensor's channel count (the length of its array).
     */
    static Map<String, float[]> channelMaxAbs(ModelProto model, Set<String> tensors, CalibrationData data) {
        Set<String> inputs = inputNames(model);
        Map<String, float[]> out = new LinkedHashMap<>();
        try (ScoringSession session = ScoringSession.open(augment(model, tensors, inputs),
                Runtime.getRuntime().availableProcessors())) {
            forEachSample(session, data, tensors, inputs, (name, values, shape) -> {
                if (shape.length < 2) {
                    return;
                }
                int channels = (int) shape[1];
                long inner = 1;
                for (int d = 2; d < shape.length; d++) {
                    inner *= shape[d];
                }
                float[] max = out.computeIfAbsent(name, k -> new float[channels]);
                if (max.length != channels) {
                    return;
                }
                int base = values.position();
                int count = values.limit() - base;
                for (int i = 0; i < count; i++) {
                    int c = (int) ((i / inner) % channels);
                    max[c] = Math.max(max[c], Math.abs(values.get(base + i)));
                }
            });
        }
        return out;
    }

    static Map<String, Range> calibrate(ModelProto model, Set<String> tensors, CalibrationData data,
            String method, double percentile) {
        Set<String> inputs = inputNames(model);
        byte[] augmented = augment(model, tensors, inputs);
        Map<String, float[]> minMax = new LinkedHashMap<>();
        try (ScoringSession session = ScoringSession.open(augmented, Runtime.getRuntime().availableProcessors())) {
            forEachSample(session, data, tensors, inputs, (name, values, shape) -> {
                float[] mm = minMax.computeIfAbsent(name, k -> new float[] {Float.POSITIVE_INFINITY,
                        Float.NEGATIVE_INFINITY});
                for (int i = values.position(); i < values.limit(); i++) {
                    float v = values.get(i);
                    if (v < mm[0]) {
                        mm[0] = v;
                    }
                    if (v > mm[1]) {
                        mm[1] = v;
                    }
                }
            });
            if (method.equals("percentile")) {
                Map<String, long[]> histograms = new HashMap<>();
                forEachSample(session, data, tensors, inputs, (name, values, shape) -> {
                    float[] mm = minMax.get(name);
                    long[] h = histograms.computeIfAbsent(name, k -> new long[BINS]);
                    double width = (mm[1] - mm[0]) / BINS;
                    for (int i = values.position(); i < values.limit(); i++) {
                        int bin = width <= 0 ? 0 : (int) ((values.get(i) - mm[0]) / width);
                        h[Math.max(0, Math.min(BINS - 1, bin))]++;
                    }
                });
                Map<String, Range> out = new LinkedHashMap<>();
                minMax.forEach((name, mm) -> out.put(name, clipTails(mm, histograms.get(name), percentile)));
                return out;
            }
        }
        Map<String, Range> out = new LinkedHashMap<>();
        minMax.forEach((name, mm) -> out.put(name, new Range(mm[0], mm[1])));
        return out;
    }

    private static Set<String> inputNames(ModelProto model) {
        Set<String> inputs = new HashSet<>();
        model.getGraph().getInputList().forEach(v -> inputs.add(v.getName()));
        return inputs;
    }

    /** A copy of the model with {@code tensors} exposed as extra graph outputs. */
    private static byte[] augment(ModelProto model, Set<String> tensors, Set<String> inputs) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        Set<String> declared = new HashSet<>();
        g.getOutputList().forEach(v -> declared.add(v.getName()));
        for (String t : tensors) {
            if (!inputs.contains(t) && declared.add(t)) {
                g.addOutput(ValueInfoProto.newBuilder().setName(t));
            }
        }
        return model.toBuilder().setGraph(g).build().toByteArray();
    }

    private static Range clipTails(float[] mm, long[] histogram, double percentile) {
        long total = 0;
        for (long c : histogram) {
            total += c;
        }
        double tail = total * (100.0 - percentile) / 100.0;
        double width = (mm[1] - mm[0]) / BINS;
        long seen = 0;
        int low = 0;
        while (low < BINS - 1 && seen + histogram[low] <= tail) {
            seen += histogram[low++];
        }
        seen = 0;
        int high = BINS - 1;
        while (high > low && seen + histogram[high] <= tail) {
            seen += histogram[high--];
        }
        return new Range((float) (mm[0] + low * width), (float) (mm[0] + (high + 1) * width));
    }

    private interface Observer {
        void observe(String tensor, FloatBuffer values, long[] shape);
    }

    private static void forEachSample(ScoringSession session, CalibrationData data, Set<String> tensors,
            Set<String> inputs, Observer observer) {
        for (Map<String, TensorData> sample : data.samples()) {
            for (String t : tensors) {
                if (inputs.contains(t)) {
                    TensorData in = sample.get(t);
                    if (in != null && in.data() instanceof FloatBuffer fb) {
                        observer.observe(t, fb.duplicate(), in.shape());
                    }
                }
            }
            List<OnnxTensor> created = new ArrayList<>();
            try {
                Map<String, OnnxTensor> feed = new LinkedHashMap<>();
                for (Map.Entry<String, TensorData> e : sample.entrySet()) {
                    OnnxTensor t = e.getValue().toOnnxTensor(ai.onnxruntime.OrtEnvironment.getEnvironment());
                    created.add(t);
                    feed.put(e.getKey(), t);
                }
                try (OrtSession.Result result = session.ortSession().run(feed)) {
                    for (Map.Entry<String, OnnxValue> e : result) {
                        if (tensors.contains(e.getKey()) && e.getValue() instanceof OnnxTensor t
                                && t.getInfo().type == ai.onnxruntime.OnnxJavaType.FLOAT) {
                            observer.observe(e.getKey(), t.getFloatBuffer(), t.getInfo().getShape());
                        }
                    }
                }
            } catch (OrtException e) {
                throw new CompressionException("the calibration samples do not fit the model: " + e.getMessage(), e);
            } finally {
                created.forEach(OnnxTensor::close);
            }
        }
    }
}
