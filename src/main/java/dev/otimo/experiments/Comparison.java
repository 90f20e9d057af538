package dev.otimo.experiments;

/**
 * A variant against the control on one metric: the difference (variant - control, in the metric's unit:
 * a proportion, or milliseconds for latency), its confidence interval, the signed z statistic of the test and
 * its nominal two-sided p-value (valid for one look; {@link SequentialMonitor} decides what it may conclude
 * when the experiment is looked at repeatedly).
 */
public record Comparison(Metric metric, int controlVersion, int variantVersion, long controlN, long variantN,
        double difference, Interval differenceInterval, double z, double pValue) {

    /** Whether the variant's value is better than the control's in the metric's direction. */
    public boolean variantBetter() {
        return metric.higherIsBetter() ? difference > 0 : difference < 0;
    }
}
