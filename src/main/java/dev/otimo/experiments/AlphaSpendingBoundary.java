package dev.otimo.experiments;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * Group-sequential stopping boundaries from the Lan–DeMets O'Brien–Fleming-type alpha-spending function,
 * symmetric two-sided: each side spends α/2 as 2 − 2Φ(z<sub>α/4</sub> / √t), so α(t) = 4 − 4Φ(z<sub>α/4</sub> /
 * √t), where t in (0, 1] is the information fraction (requests so far / planned requests per variant). This is
 * the convention of gsDesign's {@code sfLDOF} and of Jennison and Turnbull's tables; the boundaries match the
 * published ones (4.877, 3.357, 2.680, 2.290, 2.031 for five equal looks at α = 0.05).
 *
 * <p>Why: looking at a plain z test after every batch of requests and stopping at the first p &lt; α declares a
 * false winner far more often than α (about 4 times as often with 20 looks). Alpha spending lets an
 * experiment be looked at any number of times, at any information fractions chosen as it runs, while the
 * probability of ever declaring a difference when there is none stays α: look k may only spend
 * α(t<sub>k</sub>) − α(t<sub>k−1</sub>). The O'Brien–Fleming shape spends almost nothing early (a wild early
 * swing does not end the experiment) and keeps the final boundary close to the fixed-sample 1.96, so little
 * power is lost against a single test at the planned sample.
 *
 * <p>Each boundary b<sub>k</sub> solves P(|Z<sub>1</sub>| &lt; b<sub>1</sub>, …, |Z<sub>k−1</sub>| &lt;
 * b<sub>k−1</sub>, |Z<sub>k</sub>| ≥ b<sub>k</sub>) = α(t<sub>k</sub>) − α(t<sub>k−1</sub>) under the null, where
 * the score S<sub>k</sub> = Z<sub>k</sub>√t<sub>k</sub> has independent normal increments (Brownian motion
 * in information time). The density of S on the continuation region is carried from look to look by
 * numerical integration on a grid (Armitage, McPherson and Rowe; Jennison and Turnbull, chapter 19).
 *
 * <p>A boundary is a node in a tree of looks: {@link #next(double)} returns (and remembers) the node for the
 * next look at a larger information fraction, so experiments or simulations with the same schedule share the
 * computation. Nodes are immutable apart from that memo and safe to share between threads.
 */
public final class AlphaSpendingBoundary {

    /** Grid points over the continuation region (odd, for Simpson's rule). */
    private static final int GRID = 401;
    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);
    private static final double NO_BOUNDARY = Double.POSITIVE_INFINITY;

    private final double alpha;
    private final double fraction;
    private final double boundary;
    private final int look;
    /** Continuation region after this look: score values and density × quadrature weight. */
    private final double[] points;
    private final double[] weights;
    private final Map<Double, AlphaSpendingBoundary> next = new ConcurrentHashMap<>();

    private AlphaSpendingBoundary(double alpha, double fraction, double boundary, int look, double[] points,
            double[] weights) {
        this.alpha = alpha;
        this.fraction = fraction;
        this.boundary = boundary;
        this.look = look;
        this.points = points;
        this.weights = weights;
    }

    /** The start of an experiment with a two-sided overall false-positive rate alpha: no look yet. */
    public static AlphaSpendingBoundary start(double alpha) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha " + alpha);
        }
        return new AlphaSpendingBoundary(alpha, 0, NO_BOUNDARY, 0, new double[] {0}, new double[] {1});
    }

    /** The cumulative two-sided alpha the O'Brien–Fleming-type function allows to be spent by information fraction t. */
    public static double spent(double alpha, double t) {
        if (t <= 0) {
            return 0;
        }
        if (t >= 1) {
            return alpha;
        }
        // each side spends alpha / 2 by the one-sided function 2 − 2Φ(z_{α/4} / √t)
        double z = STANDARD_NORMAL.inverseSurvivalProbability(alpha / 4);
        return 4 * STANDARD_NORMAL.survivalProbability(z / Math.sqrt(t));
    }

    /** The node of the next look at information fraction t (greater than this one's, at most 1). */
    public AlphaSpendingBoundary next(double t) {
        if (!(t > fraction && t <= 1)) {
            throw new IllegalArgumentException("information fraction " + t + " after " + fraction);
        }
        return next.computeIfAbsent(t, this::compute);
    }

    private AlphaSpendingBoundary compute(double t) {
        double delta = t - fraction;
        double target = spent(alpha, t) - spent(alpha, fraction);
        double b;
        if (target <= 0) {
            b = NO_BOUNDARY;
        } else if (look == 0) {
            b = STANDARD_NORMAL.inverseSurvivalProbability(target / 2);
        } else {
            double lo = 0;
            double hi = 40;
            for (int i = 0; i < 100 && hi - lo > 1e-10; i++) {
                double mid = (lo + hi) / 2;
                if (exitProbability(points, weights, mid * Math.sqrt(t), delta, 0) > target) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            b = (lo + hi) / 2;
        }
        double edge = Math.min(b, 12) * Math.sqrt(t);
        double[] newPoints = new double[GRID];
        double[] newWeights = new double[GRID];
        continuation(points, weights, edge, delta, 0, newPoints, newWeights);
        return new AlphaSpendingBoundary(alpha, t, b, look + 1, newPoints, newWeights);
    }

    /** P(|S_k| ≥ c) from the sub-density (points, weights) of S_{k−1}, increment variance delta, drift theta. */
    static double exitProbability(double[] points, double[] weights, double c, double delta, double theta) {
        double sd = Math.sqrt(delta);
        double sum = 0;
        for (int i = 0; i < points.length; i++) {
            if (weights[i] == 0) {
                continue;
            }
            double mean = points[i] + theta * delta;
            sum += weights[i] * (STANDARD_NORMAL.survivalProbability((c - mean) / sd)
                    + STANDARD_NORMAL.cumulativeProbability((-c - mean) / sd));
        }
        return sum;
    }

    /** The sub-density of S_k on [−edge, edge] times Simpson weights, from that of S_{k−1}. */
    static void continuation(double[] points, double[] weights, double edge, double delta, double theta,
            double[] newPoints, double[] newWeights) {
        int m = newPoints.length;
        double h = 2 * edge / (m - 1);
        double sd = Math.sqrt(delta);
        double norm = 1 / (sd * Math.sqrt(2 * Math.PI));
        for (int j = 0; j < m; j++) {
            double s = -edge + j * h;
            double density = 0;
            for (int i = 0; i < points.length; i++) {
                double x = (s - points[i] - theta * delta) / sd;
                density += weights[i] * Math.exp(-0.5 * x * x);
            }
            double simpson = (j == 0 || j == m - 1) ? 1 : (j % 2 == 1 ? 4 : 2);
            newPoints[j] = s;
            newWeights[j] = density * norm * simpson * h / 3;
        }
    }

    /**
     * The probability of crossing one of the boundaries of the looks at the given fractions when the score
     * drifts by theta per unit of information (theta = 0: the false-positive rate; otherwise the power).
     */
    static double crossingProbability(double[] fractions, double[] boundaries, double theta) {
        double[] points = {0};
        double[] weights = {1};
        double previous = 0;
        double total = 0;
        for (int k = 0; k < fractions.length; k++) {
            double t = fractions[k];
            double delta = t - previous;
            double b = boundaries[k];
            if (b < NO_BOUNDARY) {
                total += exitProbability(points, weights, b * Math.sqrt(t), delta, theta);
            }
            double edge = Math.min(b, 12) * Math.sqrt(t);
            double[] np = new double[GRID];
            double[] nw = new double[GRID];
            continuation(points, weights, edge, delta, theta, np, nw);
            points = np;
            weights = nw;
            previous = t;
        }
        return total;
    }

    public double alpha() { return alpha; }
    /** The information fraction of this look (0 before the first). */
    public double fraction() { return fraction; }
    /** The |z| this look must reach to conclude; infinite where this look has no alpha to spend. */
    public double boundary() { return boundary; }
    /** 1 for the first look; 0 before it. */
    public int look() { return look; }

    /** The two-sided nominal p-value this look must reach (2(1 − Φ(b))). */
    public double nominalAlpha() {
        return boundary == NO_BOUNDARY ? 0 : 2 * STANDARD_NORMAL.survivalProbability(boundary);
    }
}
