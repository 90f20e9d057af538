package dev.otimo.experiments;

/**
 * A two-sided confidence interval: a point estimate and its lower and upper bound at a confidence level. One
 * type for every interval here (proportions, latency quantiles, differences) so the API and the console can
 * show them the same way.
 */
public record Interval(double estimate, double lower, double upper, double confidence) {

    public boolean contains(double value) {
        return lower <= value && value <= upper;
    }

    public double width() {
        return upper - lower;
    }
}
