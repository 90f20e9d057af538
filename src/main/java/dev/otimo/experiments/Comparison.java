package dev.otimo.experiments;

/**
 * A variant against the control on one metric, in one value the API can return as it is and the
 * {@link SequentialMonitor} can judge: the difference (variant - control, in the metric's unit:
 * a proportion, or milliseconds for latency), its confidence interval, the signed z statistic of the test and
 * its nominal two-sided p-value (valid for one look; {@link SequentialMonitor} decides what it may conclude
 * when the experiment is looked at repeatedly).
 */
public record Comparison(Metric metric, int controlVersion, int variantVersion, long controlN, long variantN,
        double difference, Interval differenceInterval, double z, double pValue) {

    /**
     * Whether the variant is better than the control in the metric's direction, by the sign of the test
     * statistic (for latency the rank test's, which may differ from the sign of the median difference).
     */
    public boolean variantBetter() {
        double sign = z != 0 ? z : difference;
        return metric.higherIsBetter() ? sign > 0 : sign < 0;
    }
}
