package dev.otimo.experiments;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.HdrHistogram.Histogram;
import org.apache.commons.statistics.distribution.BetaDistribution;
import org.apache.commons.statistics.distribution.ContinuousDistribution;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.apache.commons.statistics.distribution.TDistribution;

/**
 * Confidence intervals for what a variant reports: the Wilson score interval for a proportion (error rate,
 * accuracy) and a bootstrap percentile interval for a latency quantile (p50, p95, p99) from a histogram.
 *
 * <p>Why Wilson: the textbook (Wald) interval p ± z·sqrt(p(1-p)/n) collapses to a width of zero at 0 errors and
 * undercovers for small p, which is exactly the error-rate regime; Wilson keeps close to nominal coverage there.
 *
 * <p>Why this bootstrap: a quantile has no simple standard error, and the percentile bootstrap makes no
 * assumption on the latency distribution. Resampling n values from a histogram of millions of requests 500
 * times would be slow, so each resample's quantile is drawn from its exact distribution instead: the k-th
 * smallest of n values resampled from the empirical distribution F is F⁻¹(U) with U ~ Beta(k, n + 1 - k)
 * (the k-th order statistic of n uniforms). That is the same bootstrap distribution, at the cost of one Beta
 * draw and one histogram lookup per resample. Resamples are seeded and bounded ({@link #BOOTSTRAP_RESAMPLES}),
 * so the interval is reproducible.
 */
public final class Intervals {

    /** Resamples per bootstrap interval: enough for stable 2.5 % / 97.5 % percentiles, cheap to compute. */
    public static final int BOOTSTRAP_RESAMPLES = 500;

    private Intervals() {
    }

    /** The Wilson score interval for successes out of trials; with no trials, NaN to [0, 1]. */
    public static Interval wilson(long successes, long trials, double confidence) {
        if (successes < 0 || trials < 0 || successes > trials) {
            throw new IllegalArgumentException("successes " + successes + " of trials " + trials);
        }
        if (trials == 0) {
            return new Interval(Double.NaN, 0, 1, confidence);
        }
        double z = zFor(confidence);
        double n = trials;
        double p = successes / n;
        double z2 = z * z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = z / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return new Interval(p, Math.max(0, centre - half), Math.min(1, centre + half), confidence);
    }

    /**
     * A bootstrap percentile interval for the quantile q (in [0, 1]) of the values in a histogram, in the
     * histogram's unit; {@link #BOOTSTRAP_RESAMPLES} resamples from the seed.
     */
    public static Interval bootstrapQuantile(Histogram histogram, double q, double confidence, long seed) {
        long n = histogram.getTotalCount();
        if (n == 0) {
            return new Interval(Double.NaN, Double.NaN, Double.NaN, confidence);
        }
        double[] draws = quantileDraws(histogram, q, BOOTSTRAP_RESAMPLES, new SplittableRandom(seed));
        Arrays.sort(draws);
        double estimate = histogram.getValueAtPercentile(q * 100);
        return new Interval(estimate, percentile(draws, (1 - confidence) / 2), percentile(draws, (1 + confidence) / 2),
                confidence);
    }

    /**
     * The bootstrap interval of a variant's latency quantile q (0.5, 0.95, 0.99), in milliseconds; NaN without
     * requests.
     */
    public static Interval latencyMillis(VariantSample.Snapshot snapshot, double q, double confidence, long seed) {
        Interval micros = bootstrapQuantile(snapshot.latencyHistogram(), q, confidence, seed);
        return new Interval(micros.estimate() / 1000.0, micros.lower() / 1000.0, micros.upper() / 1000.0, confidence);
    }

    /** The Wilson interval of a variant's error rate. */
    public static Interval errorRate(VariantSample.Snapshot snapshot, double confidence) {
        return wilson(snapshot.errors(), snapshot.requests(), confidence);
    }

    /** The Wilson interval of a variant's accuracy on reported outcomes. */
    public static Interval accuracy(VariantSample.Snapshot snapshot, double confidence) {
        return wilson(snapshot.outcomeSuccesses(), snapshot.outcomeTrials(), confidence);
    }

    /**
     * The Student t interval of a variant's mean numeric error (from its sum and sum of squares); NaN below two
     * outcomes.
     */
    public static Interval meanNumericError(VariantSample.Snapshot snapshot, double confidence) {
        long n = snapshot.numericOutcomes();
        double mean = snapshot.meanNumericError();
        if (n < 2) {
            return new Interval(mean, Double.NaN, Double.NaN, confidence);
        }
        double t = TDistribution.of(n - 1).inverseSurvivalProbability((1 - confidence) / 2);
        double half = t * Math.sqrt(snapshot.numericErrorVariance() / n);
        return new Interval(mean, mean - half, mean + half, confidence);
    }

    /** Bootstrap replicates of the q-quantile of a histogram (see the class comment). */
    static double[] quantileDraws(Histogram histogram, double q, int resamples, SplittableRandom random) {
        long n = histogram.getTotalCount();
        long k = Math.max(1, Math.min(n, (long) Math.ceil(q * n)));
        ContinuousDistribution.Sampler beta = BetaDistribution.of(k, n + 1 - k).createSampler(random::nextLong);
        double[] draws = new double[resamples];
        for (int i = 0; i < resamples; i++) {
            double u = beta.sample();
            draws[i] = histogram.getValueAtPercentile(Math.min(100, u * 100));
        }
        return draws;
    }

    /** The p-th percentile (p in [0, 1]) of sorted values, nearest rank. */
    static double percentile(double[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** The two-sided standard normal critical value for a confidence level (1.96 for 0.95). */
    static double zFor(double confidence) {
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence " + confidence);
        }
        return NormalDistribution.of(0, 1).inverseSurvivalProbability((1 - confidence) / 2);
    }
}
