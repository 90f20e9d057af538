package dev.otimo.compression;

/**
 * Symmetric int8 quantization of constant weights, per tensor or per channel along one axis:
 * {@code q = round(w / scale)} clamped to [-127, 127] with {@code scale = max|w| / 127}, zero point 0.
 */
final class WeightQuantizer {

    /** Quantized values and the scale of each channel (one scale when per tensor). */
    record Quantized(byte[] values, float[] scales) {
    }

    private WeightQuantizer() {
    }

    /**
     * @param axis the channel axis for per-channel scales, or -1 for one scale for the whole tensor
     */
    static Quantized symmetric(float[] weights, long[] dims, int axis) {
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
            scales[c] = maxAbs[c] > 0 ? maxAbs[c] / 127f : 1f;
        }
        byte[] q = new byte[weights.length];
        for (int i = 0; i < weights.length; i++) {
            int c = channel(i, inner, channels, axis);
            long v = Math.round(weights[i] / scales[c]);
            q[i] = (byte) Math.max(-127, Math.min(127, v));
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
