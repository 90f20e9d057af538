package dev.otimo.experiments;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * What an experiment shows at one look: each variant's figures with their intervals, the top-1 agreement of
 * each variant with the control on shadowed traffic, every variant-versus-control comparison and the verdict
 * on the primary metric. Figures that cannot be computed yet (no requests, no outcomes) are null. The same
 * shape is stored as an ended experiment's summary.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ExperimentReport(List<VariantFigures> variants, List<Agreement> agreement, List<ComparisonFigures> comparisons,
                               VerdictFigures verdict, long unknownOutcomeIds, long expiredOutcomeIds) {

    /** A confidence interval's bounds; null where there is not enough data. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Bounds(Double low, Double high) {

        static Bounds of(Interval interval) {
            return new Bounds(finite(interval.lower()), finite(interval.upper()));
        }
    }

    /**
     * One variant: requests it answered and how many failed (the server's fault, a time-out or overload; not the
     * client's), latency quantiles, and the outcomes reported for its answers (accuracy for classes, mean absolute
     * error for numbers).
     *
     * @param intervals keyed by figure: errorRate, p50Millis, p95Millis, p99Millis, accuracy, meanError
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record VariantFigures(int version, int weight, long requests, long errors, Double errorRate, Double p50Millis,
                                 Double p95Millis, Double p99Millis, Double accuracy, Double meanError, long outcomes,
                                 Map<String, Bounds> intervals) {
    }

    /** How often a variant's top-1 class agreed with the control's on the same (shadowed) request. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Agreement(int version, int control, long compared, Double rate, Double low, Double high) {
    }

    /** A variant against the control on one metric: difference (variant − control), its interval and nominal p-value. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ComparisonFigures(String metric, int control, int variant, Double difference, Double low, Double high,
                                    Double pValue) {

        static ComparisonFigures of(Comparison c) {
            return new ComparisonFigures(c.metric().wireName(), c.controlVersion(), c.variantVersion(), finite(c.difference()),
                    finite(c.differenceInterval().lower()), finite(c.differenceInterval().upper()), finite(c.pValue()));
        }
    }

    /**
     * The verdict on the primary metric.
     *
     * @param winner         the better version, or null
     * @param pValue         nominal p-value of the deciding comparison at the last counted look
     * @param nominalAlpha   the p-value that look had to reach (alpha spending; Bonferroni-split over several variants)
     * @param requestsNeeded requests still missing to the planned sample over all variants (0 once reached)
     * @param concluded      true once a winner is declared or the planned sample is reached
     * @param text           "B better", "B worse", "no difference detected yet (need ~N more requests)" or
     *                       "no difference detected"
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record VerdictFigures(Integer winner, Double pValue, Double nominalAlpha, long requestsNeeded,
                                 double informationFraction, int looks, boolean concluded, String text) {
    }

    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
