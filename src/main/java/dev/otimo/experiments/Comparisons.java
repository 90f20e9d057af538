package dev.otimo.experiments;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.HdrHistogram.Histogram;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.MannWhitneyUTest;
import org.apache.commons.statistics.inference.SignificanceResult;

/**
 * Compares a variant with the control on a metric.
 *
 * <p>Why these tests: error rate and accuracy are proportions of independent requests, for which the
 * two-proportion z test (pooled standard error under "no difference") is the standard large-sample test; the
 * interval of the difference uses the unpooled standard error. Latency is skewed and heavy-tailed, so a
 * rank test (Mann–Whitney U, from Apache Commons Statistics) is used for the p-value, on values drawn from
 * each variant's histogram (at most {@link #LATENCY_TEST_SAMPLES} per variant, seeded), and the difference is
 * the difference of medians with a bootstrap percentile interval (see {@link Intervals}).
 */
public final class Comparisons {

    /** Values drawn per variant from its latency histogram for the Mann–Whitney test. */
    public static final int LATENCY_TEST_SAMPLES = 2_000;

    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);

    private Comparisons() {
    }

    /** Compares on the given metric; latency uses the seed for its draws and bootstrap. */
    public static Comparison compare(Metric metric, VariantSample.Snapshot control, VariantSample.Snapshot variant,
            double confidence, long seed) {
        return switch (metric) {
            case ERROR_RATE -> twoProportions(metric, control.version(), variant.version(), control.errors(),
                    control.requests(), variant.errors(), variant.requests(), confidence);
            case ACCURACY -> twoProportions(metric, control.version(), variant.version(), control.outcomeSuccesses(),
                    control.outcomeTrials(), variant.outcomeSuccesses(), variant.outcomeTrials(), confidence);
            case LATENCY -> latency(control, variant, confidence, seed);
        };
    }

    /** Two-proportion z test of x2/n2 (variant) against x1/n1 (control). */
    public static Comparison twoProportions(Metric metric, int controlVersion, int variantVersion, long x1, long n1,
            long x2, long n2, double confidence) {
        if (n1 == 0 || n2 == 0) {
            return new Comparison(metric, controlVersion, variantVersion, n1, n2, Double.NaN,
                    new Interval(Double.NaN, -1, 1, confidence), 0, 1);
        }
        double p1 = (double) x1 / n1;
        double p2 = (double) x2 / n2;
        double difference = p2 - p1;
        double pooled = (double) (x1 + x2) / (n1 + n2);
        double pooledSe = Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
        double z = pooledSe == 0 ? 0 : difference / pooledSe;
        double se = Math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
        double zc = Intervals.zFor(confidence);
        Interval interval = new Interval(difference, difference - zc * se, difference + zc * se, confidence);
        return new Comparison(metric, controlVersion, variantVersion, n1, n2, difference, interval, z,
                twoSidedP(z));
    }

    static Comparison latency(VariantSample.Snapshot control, VariantSample.Snapshot variant, double confidence,
            long seed) {
        Histogram a = control.latencyHistogram();
        Histogram b = variant.latencyHistogram();
        long n1 = a.getTotalCount();
        long n2 = b.getTotalCount();
        if (n1 == 0 || n2 == 0) {
            return new Comparison(Metric.LATENCY, control.version(), variant.version(), n1, n2, Double.NaN,
                    new Interval(Double.NaN, Double.NaN, Double.NaN, confidence), 0, 1);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = drawValues(a, (int) Math.min(n1, LATENCY_TEST_SAMPLES), random);
        double[] y = drawValues(b, (int) Math.min(n2, LATENCY_TEST_SAMPLES), random);
        SignificanceResult result = MannWhitneyUTest.withDefaults()
                .with(AlternativeHypothesis.TWO_SIDED)
                .test(y, x);
        // every value tied (e.g. all requests in one histogram bucket): the test has no variance and no evidence
        double p = Double.isNaN(result.getPValue()) ? 1 : result.getPValue();
        // sign: the variant's values tend to be larger when U (for y) is above its mean m·n/2
        double sign = Math.signum(result.getStatistic() - (double) x.length * y.length / 2);
        double z = sign * STANDARD_NORMAL.inverseSurvivalProbability(Math.max(p, 1e-300) / 2);

        int resamples = Intervals.BOOTSTRAP_RESAMPLES;
        double[] ma = Intervals.quantileDraws(a, 0.5, resamples, random);
        double[] mb = Intervals.quantileDraws(b, 0.5, resamples, random);
        double[] differences = new double[resamples];
        for (int i = 0; i < resamples; i++) {
            differences[i] = (mb[i] - ma[i]) / 1000.0;
        }
        Arrays.sort(differences);
        double difference = (b.getValueAtPercentile(50) - a.getValueAtPercentile(50)) / 1000.0;
        Interval interval = new Interval(difference, Intervals.percentile(differences, (1 - confidence) / 2),
                Intervals.percentile(differences, (1 + confidence) / 2), confidence);
        return new Comparison(Metric.LATENCY, control.version(), variant.version(), n1, n2, difference, interval, z, p);
    }

    /** Values drawn with replacement from a histogram's distribution. */
    static double[] drawValues(Histogram histogram, int count, SplittableRandom random) {
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = histogram.getValueAtPercentile(random.nextDouble() * 100);
        }
        return values;
    }

    static double twoSidedP(double z) {
        return Math.min(1, 2 * STANDARD_NORMAL.survivalProbability(Math.abs(z)));
    }
}
