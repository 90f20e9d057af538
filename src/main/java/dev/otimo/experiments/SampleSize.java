package dev.otimo.experiments;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * How many requests per variant an experiment needs to detect a minimum detectable effect with a given
 * power — the "planned n" that the information fraction of {@link AlphaSpendingBoundary} is measured against
 * and that "need ~N more requests" counts down to.
 *
 * <p>Why two numbers: {@link #fixedForProportions} is the classical single-test sample size; an experiment that
 * is looked at repeatedly with O'Brien–Fleming spending loses a little power against it, so
 * {@link #forProportions} inflates it by the factor that restores the power for {@link #PLANNING_LOOKS}
 * equally spaced looks (a few per cent), computed from the same boundaries.
 */
public final class SampleSize {

    /** The number of equally spaced looks the inflation factor is computed for (one every 5 % of the sample). */
    public static final int PLANNING_LOOKS = 20;

    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);
    private static final Map<String, Double> INFLATION = new ConcurrentHashMap<>();

    private SampleSize() {
    }

    /**
     * Requests per variant for a two-sided two-proportion test at level alpha to detect a change from p to
     * p + mde (mde may be negative) with the given power, when the experiment is monitored with
     * {@link AlphaSpendingBoundary}.
     */
    public static long forProportions(double p, double mde, double alpha, double power) {
        return (long) Math.ceil(fixedNumber(p, mde, alpha, power) * inflation(alpha, power));
    }

    /** The same for a single test at the end (no interim looks). */
    public static long fixedForProportions(double p, double mde, double alpha, double power) {
        return (long) Math.ceil(fixedNumber(p, mde, alpha, power));
    }

    private static double fixedNumber(double p, double mde, double alpha, double power) {
        double p2 = p + mde;
        if (!(p > 0 && p < 1 && p2 > 0 && p2 < 1 && mde != 0)) {
            throw new IllegalArgumentException("p " + p + " and p + mde " + p2 + " must lie in (0, 1) and differ");
        }
        check(alpha, power);
        double za = STANDARD_NORMAL.inverseSurvivalProbability(alpha / 2);
        double zb = STANDARD_NORMAL.inverseSurvivalProbability(1 - power);
        double mean = (p + p2) / 2;
        double root = za * Math.sqrt(2 * mean * (1 - mean)) + zb * Math.sqrt(p * (1 - p) + p2 * (1 - p2));
        return root * root / (mde * mde);
    }

    /**
     * The ratio of the maximum sample of the O'Brien–Fleming design (PLANNING_LOOKS equally spaced looks) to
     * the fixed sample with the same alpha and power: (θ<sub>seq</sub> / (z<sub>α/2</sub> + z<sub>β</sub>))², where
     * θ<sub>seq</sub> is the drift at which the design has the power.
     */
    public static double inflation(double alpha, double power) {
        check(alpha, power);
        return INFLATION.computeIfAbsent(alpha + "/" + power, key -> computeInflation(alpha, power));
    }

    private static double computeInflation(double alpha, double power) {
        double[] fractions = new double[PLANNING_LOOKS];
        double[] boundaries = new double[PLANNING_LOOKS];
        AlphaSpendingBoundary node = AlphaSpendingBoundary.start(alpha);
        for (int k = 0; k < PLANNING_LOOKS; k++) {
            fractions[k] = (k + 1.0) / PLANNING_LOOKS;
            node = node.next(fractions[k]);
            boundaries[k] = node.boundary();
        }
        double fixedDrift = STANDARD_NORMAL.inverseSurvivalProbability(alpha / 2)
                + STANDARD_NORMAL.inverseSurvivalProbability(1 - power);
        double lo = fixedDrift;
        double hi = fixedDrift * 1.5;
        for (int i = 0; i < 40; i++) {
            double mid = (lo + hi) / 2;
            if (AlphaSpendingBoundary.crossingProbability(fractions, boundaries, mid) < power) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double drift = (lo + hi) / 2;
        return (drift / fixedDrift) * (drift / fixedDrift);
    }

    private static void check(double alpha, double power) {
        if (!(alpha > 0 && alpha < 1 && power > 0 && power < 1)) {
            throw new IllegalArgumentException("alpha " + alpha + ", power " + power);
        }
    }
}
