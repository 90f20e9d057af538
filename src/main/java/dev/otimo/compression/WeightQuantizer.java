package dev.otimo.compression;

import dev.otimo.runtime.CpuFeatures;

import java.util.Set;

/**
 * Symmetric int8 quantization of constant weights, per tensor or per channel along one axis:
 * {@code q = round(w / scale)} clamped to [-qmax, qmax] with {@code scale = max|w| / qmax}, zero point
 * 0. {@code qmax} is 127 (full range) or 63 (reduced range, 7 bits), chosen by the {@code weightRange}
 * option of the int8 methods.
 */
final class WeightQuantizer {

    static final String OPTION = "weightRange";
    static final Set<String> RANGES = Set.of("auto", "full", "reduced");
    static final int FULL = 127;
    static final int REDUCED = 63;

    /**
     * The weight range an int8 method uses: {@code full} (±127), {@code reduced} (±63), or {@code auto}
     * (the default): reduced where this host sums int8 products in 16 bits ({@link CpuFeatures}), where
     * full-range weights can overflow and the result loses accuracy; full elsewhere.
     */
    record Range(String requested, int qmax, String reason) {

        static Range of(TransformOptions options, CpuFeatures cpu) {
            String requested = options.getChoice(OPTION, "auto", RANGES);
            return switch (requested) {
                case "full" -> new Range(requested, FULL, "full range requested");
                case "reduced" -> new Range(requested, REDUCED, "reduced range requested");
                default -> cpu.int8DotProduct()
                        ? new Range(requested, FULL, "this host has int8 dot-product instructions (" + cpu.describe() + ")")
                        : new Range(requested, REDUCED, "this host sums int8 products in 16 bits, where full-range"
                                + " weights can overflow (" + cpu.describe() + ")");
            };
        }

        /** {@code full} or {@code reduced}: what {@code auto} resolved to. */
        String applied() {
            return qmax == FULL ? "full" : "reduced";
        }

        String note() {
            return "weights " + (qmax == FULL ? "8-bit (±127)" : "7-bit (±63)") + ": " + reason;
        }
    }

    /** Quantized values and the scale of each channel (one scale when per tensor). */
    record Quantized(byte[] values, float[] scales) {
    }

    private WeightQuantizer() {
    }

    /**
     * @param axis the channel axis for per-channel scales, or -1 for one scale for the whole tensor
     * @param qmax the largest quantized magnitude: {@link #FULL} or {@link #REDUCED}
     */
    static Quantized symmetric(float[] weights, long[] dims, int axis, int qmax) {
        int channels = axis < 0 ? 1 : (int) dims[axis];
        long inner = 1;
        if (axis >= 0) {
            for (int d = axis + 1; d < dims.length; d++) {
                inner *= dims[d];
            }
        }
        float[] maxAbs = new float[channels];
        for (int i = 0; i < weights.length; i++) {
            int c = channel(i, inner, channels, axis);
            maxAbs[c] = Math.max(maxAbs[c], Math.abs(weights[i]));
        }
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            // An all-zero channel still needs a positive scale for the kernels; its values stay 0.
            scales[c] = maxAbs[c] > 0 ? maxAbs[c] / qmax : 1f;
        }
        byte[] q = new byte[weights.length];
        for (int i = 0; i < weights.length; i++) {
            int c = channel(i, inner, channels, axis);
            long v = Math.round(weights[i] / scales[c]);
            q[i] = (byte) Math.max(-qmax, Math.min(qmax, v));
        }
        return new Quantized(q, scales);
    }

    private static int channel(int index, long inner, int channels, int axis) {
        return axis < 0 ? 0 : (int) ((index / inner) % channels);
    }

    /** Transposes a row-major [rows, cols] matrix. */
    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }
}
