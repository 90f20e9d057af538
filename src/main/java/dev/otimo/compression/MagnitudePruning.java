package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * {@code prune}: zeroes the smallest-magnitude weights of MatMul, Gemm, Conv and ConvTranspose
 * nodes until the target sparsity is reached, either in every layer ({@code scope=layer}) or over
 * all of them together ({@code scope=global}). The model keeps its dense format: ONNX Runtime's CPU
 * kernels do not skip zeros, so inference speed does not change; the gain is in the compressed size
 * of the artifact, which the result reports.
 */
public final class MagnitudePruning implements Transform {

    public static final String NAME = "prune";
    static final Set<String> OPTIONS = Set.of("sparsity", "scope");
    private static final Set<String> WEIGHTED_OPS = Set.of("MatMul", "Gemm", "Conv", "ConvTranspose");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void check(TransformOptions options, boolean hasCalibration) {
        options.requireOnly(NAME, OPTIONS);
        double sparsity = options.getDouble("sparsity", 0.5);
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new CompressionException("sparsity must be a fraction of weights to zero, at least 0 and below 1;"
                    + " got " + sparsity);
        }
        options.getChoice("scope", "layer", Set.of("layer", "global"));
    }

    @Override
    public TransformResult apply(ModelProto model, TransformOptions options, CalibrationData calibration) {
        check(options, calibration != null && !calibration.isEmpty());
        double sparsity = options.getDouble("sparsity", 0.5);
        String scope = options.getChoice("scope", "layer", Set.of("layer", "global"));
        OnnxModels.requireKnownOperators(model, NAME);

        GraphEditor g = GraphEditor.of(model);
        Set<String> weightNames = new LinkedHashSet<>();
        for (NodeProto n : g.nodes) {
            if (WEIGHTED_OPS.contains(n.getOpType()) && GraphEditor.normalDomain(n.getDomain()).isEmpty()
                    && n.getInputCount() > 1) {
                TensorProto w = g.initializer(n.getInput(1));
                if (w != null && Tensors.isFloat(w) && w.getDimsCount() >= 2) {
                    weightNames.add(w.getName());
                }
            }
        }
        if (weightNames.isEmpty()) {
            boolean half = model.getGraph().getInitializerList().stream()
                    .anyMatch(t -> t.getDataType() == TensorProto.DataType.FLOAT16.getNumber());
            throw new CompressionException(NAME + " found no MatMul, Gemm or Conv node with a constant float weight"
                    + " in model '" + model.getGraph().getName() + "'; nothing to prune"
                    + (half ? " (its weights are FLOAT16: send the recipe [fp32, prune] to up-cast them first)" : ""));
        }
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (String name : weightNames) {
            weights.put(name, Tensors.floats(g.initializer(name)));
        }
        if (scope.equals("global")) {
            pruneTogether(new ArrayList<>(weights.values()), sparsity);
        } else {
            for (float[] w : weights.values()) {
                pruneTogether(List.of(w), sparsity);
            }
        }
        long zeros = 0;
        long total = 0;
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            TensorProto old = g.initializer(e.getKey());
            g.replaceInitializer(Tensors.floatTensor(e.getKey(), e.getValue(), Tensors.dims(old)));
            for (float v : e.getValue()) {
                if (v == 0f) {
                    zeros++;
                }
            }
            total += e.getValue().length;
        }
        ModelProto pruned = g.build();
        byte[] before = model.toByteArray();
        byte[] after = pruned.toByteArray();
        long gzipBefore = gzipSize(before);
        long gzipAfter = gzipSize(after);
        double achieved = (double) zeros / total;

        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put("targetSparsity", sparsity);
        extras.put("achievedSparsity", achieved);
        extras.put("scope", scope);
        extras.put("prunedTensors", weights.size());
        extras.put("prunedParameters", total);
        extras.put("sizeBytes", (long) after.length);
        extras.put("gzipBytesBefore", gzipBefore);
        extras.put("gzipBytesAfter", gzipAfter);
        List<String> notes = List.of(
                String.format("zeroed %.1f%% of %d weights in %d tensors (%s)", achieved * 100, total,
                        weights.size(), scope.equals("global") ? "one threshold for all layers" : "per layer"),
                String.format("the artifact stays dense at %d bytes; gzip-compressed it shrinks from %d to %d bytes"
                        + " (%.0f%%)", after.length, gzipBefore, gzipAfter, 100.0 * gzipAfter / gzipBefore),
                "dense CPU kernels do not skip zeros: inference speed is unchanged by pruning alone");
        return new TransformResult(pruned, extras, notes);
    }

    /** Zeroes the {@code sparsity} share of smallest |w| across all the given arrays, in place. */
    static void pruneTogether(List<float[]> arrays, double sparsity) {
        long total = arrays.stream().mapToLong(a -> a.length).sum();
        long k = (long) Math.floor(sparsity * total);
        if (k == 0) {
            return;
        }
        float[] magnitudes = new float[Math.toIntExact(total)];
        int at = 0;
        for (float[] a : arrays) {
            for (float v : a) {
                magnitudes[at++] = Math.abs(v);
            }
        }
        Arrays.sort(magnitudes);
        float threshold = magnitudes[(int) k - 1];
        long below = 0;
        for (float m : magnitudes) {
            if (m < threshold) {
                below++;
            } else {
                break;
            }
        }
        // Values equal to the threshold are zeroed only until exactly k values are gone.
        long tiesToZero = k - below;
        for (float[] a : arrays) {
            for (int i = 0; i < a.length; i++) {
                float m = Math.abs(a[i]);
                if (m < threshold) {
                    a[i] = 0f;
                } else if (m == threshold && tiesToZero > 0) {
                    a[i] = 0f;
                    tiesToZero--;
                }
            }
        }
    }

    static long gzipSize(byte[] bytes) {
        CountingStream counter = new CountingStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(counter, 1 << 16)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counter.count;
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
