package dev.otimo.routing;

import dev.otimo.runtime.DataType;
import ai.onnxruntime.platform.Fp16Conversions;
import dev.otimo.runtime.Tensor;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How far a shadow's outputs are from the primary's for the same request: the largest absolute
 * difference of any element, and the cosine similarity of all numeric outputs taken as one vector.
 * Outputs are paired by name; BYTES outputs are left out.
 *
 * @param maxAbsDiff largest |primary - shadow| over every compared element
 * @param cosine     cosine similarity, 1 = same direction (1 too when both are all zeros)
 */
public record OutputDivergence(double maxAbsDiff, double cosine) {

    /** The divergence, or empty when no numeric output has the same name and shape in both. */
    public static Optional<OutputDivergence> between(List<Tensor> primary, List<Tensor> shadow) {
        Map<String, Tensor> byName = new HashMap<>();
        shadow.forEach(t -> byName.put(t.name(), t));
        double maxAbs = 0;
        double dot = 0;
        double pp = 0;
        double ss = 0;
        boolean compared = false;
        for (Tensor p : primary) {
            Tensor s = byName.get(p.name());
            if (s == null || !p.datatype().isFixedWidth() || !s.datatype().isFixedWidth()
                    || !Arrays.equals(p.shape(), s.shape())) {
                continue;
            }
            ByteBuffer a = p.data();
            ByteBuffer b = s.data();
            long n = p.elementCount();
            for (int i = 0; i < n; i++) {
                double x = element(a, p.datatype(), i);
                double y = element(b, s.datatype(), i);
                maxAbs = Math.max(maxAbs, Math.abs(x - y));
                dot += x * y;
                pp += x * x;
                ss += y * y;
            }
            compared = true;
        }
        if (!compared) {
            return Optional.empty();
        }
        double cosine = pp == 0 && ss == 0 ? 1.0 : dot / Math.sqrt(pp * ss + 1e-300);
        return Optional.of(new OutputDivergence(maxAbs, cosine));
    }

    private static double element(ByteBuffer b, DataType type, int i) {
        return switch (type) {
            case BOOL, INT8 -> b.get(i);
            case UINT8 -> b.get(i) & 0xff;
            case INT16 -> b.getShort(i * 2);
            case UINT16 -> b.getShort(i * 2) & 0xffff;
            case INT32 -> b.getInt(i * 4);
            case UINT32 -> b.getInt(i * 4) & 0xffffffffL;
            case INT64 -> b.getLong(i * 8);
            case UINT64 -> {
                long v = b.getLong(i * 8);
                yield v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
            }
            case FP16 -> Fp16Conversions.fp16ToFloat(b.getShort(i * 2));
            case FP32 -> b.getFloat(i * 4);
            case FP64 -> b.getDouble(i * 8);
            case BYTES -> throw new IllegalArgumentException("BYTES has no numeric elements");
        };
    }
}
