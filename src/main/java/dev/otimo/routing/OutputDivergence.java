package dev.otimo.routing;

import dev.otimo.runtime.Tensor;

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
            long n = p.elementCount();
            for (int i = 0; i < n; i++) {
                double x = p.valueAt(i);
                double y = s.valueAt(i);
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
}
