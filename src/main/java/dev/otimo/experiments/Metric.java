package dev.otimo.experiments;

/**
 * The primary metric of an experiment and which direction is better, so a signed difference can be turned
 * into "B better" or "B worse".
 */
public enum Metric {
    /** Fraction of requests that failed; lower is better. Two-proportion z test. */
    ERROR_RATE("errorRate", false),
    /** Request latency; lower is better. Mann–Whitney U on the histograms, bootstrap interval of the median difference. */
    LATENCY("latency", false),
    /** Fraction of reported outcomes the variant got right; higher is better. Two-proportion z test. */
    ACCURACY("accuracy", true);

    private final String wireName;
    private final boolean higherIsBetter;

    Metric(String wireName, boolean higherIsBetter) {
        this.wireName = wireName;
        this.higherIsBetter = higherIsBetter;
    }

    /** The name in the API contract ("errorRate", "latency", "accuracy"). */
    public String wireName() {
        return wireName;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    public static Metric fromWireName(String name) {
        for (Metric metric : values()) {
            if (metric.wireName.equals(name)) {
                return metric;
            }
        }
        throw new IllegalArgumentException("unknown metric " + name + " (errorRate, latency or accuracy)");
    }
}
