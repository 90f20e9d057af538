package dev.otimo.compression;

import java.nio.FloatBuffer;

/**
 * How far a child model's output is from its parent's for the same inputs: the largest absolute
 * difference, the cosine similarity of each row, and for classifier-shaped outputs ([N, C] with
 * C > 1) whether the arg-max class agrees.
 */
public final class OutputComparison {

    private double maxAbsError;
    private double cosineSum;
    private long rows;
    private long top1Agreements;
    private long top1Rows;

    /** Adds one pair of outputs of the same shape; rows are taken along dimension 0. */
    public void add(TensorData parent, TensorData child) {
        float[] p = floats(parent);
        float[] c = floats(child);
        if (p.length != c.length) {
            throw new CompressionException("parent and child outputs differ in size: " + p.length + " vs " + c.length);
        }
        long[] shape = parent.shape();
        int n = shape.length == 0 ? 1 : (int) shape[0];
        int width = n == 0 ? 0 : p.length / n;
        for (int r = 0; r < n; r++) {
            double dot = 0;
            double pp = 0;
            double cc = 0;
            int bestP = 0;
            int bestC = 0;
            for (int j = 0; j < width; j++) {
                int i = r * width + j;
                double a = p[i];
                double b = c[i];
                maxAbsError = Math.max(maxAbsError, Math.abs(a - b));
                dot += a * b;
                pp += a * a;
                cc += b * b;
                if (p[i] > p[r * width + bestP]) {
                    bestP = j;
                }
                if (c[i] > c[r * width + bestC]) {
                    bestC = j;
                }
            }
            double cos = pp == 0 && cc == 0 ? 1.0 : dot / Math.sqrt(pp * cc + 1e-300);
            cosineSum += cos;
            rows++;
            if (shape.length == 2 && shape[1] > 1) {
                top1Rows++;
                if (bestP == bestC) {
                    top1Agreements++;
                }
            }
        }
    }

    public double maxAbsError() {
        return maxAbsError;
    }

    public double meanCosine() {
        return rows == 0 ? Double.NaN : cosineSum / rows;
    }

    /** Share of rows whose arg-max agrees, or null when no output was classifier-shaped. */
    public Double top1Agreement() {
        return top1Rows == 0 ? null : (double) top1Agreements / top1Rows;
    }

    public long rows() {
        return rows;
    }

    private static float[] floats(TensorData t) {
        if (!(t.data() instanceof FloatBuffer b)) {
            throw new CompressionException("only float outputs can be compared");
        }
        FloatBuffer d = b.duplicate();
        float[] v = new float[d.remaining()];
        d.get(v);
        return v;
    }
}
