package dev.otimo.experiments;

/**
 * Turns the comparisons of one variant against the control, looked at repeatedly while the experiment runs,
 * into a {@link Verdict} whose false-positive rate stays at alpha however often it is looked at.
 *
 * <p>Method: group-sequential testing with Lan–DeMets O'Brien–Fleming-type alpha spending
 * ({@link AlphaSpendingBoundary}) over the information fraction n / planned n, where n is the smaller of the
 * two variants' sample sizes and planned n comes from {@link SampleSize} for the minimum detectable effect.
 * Chosen over an always-valid mSPRT p-value because Otimo plans a sample anyway (to say "need ~N more
 * requests"), because it spends the whole alpha by the planned sample, so it keeps nearly the power of a single
 * fixed test where an mSPRT is markedly conservative at a finite horizon, and because its verdict is the
 * familiar two-proportion z test with a stricter threshold, which is easy to show and explain.
 *
 * <p>A look is counted only when the information fraction has grown by at least {@code minStep} since the
 * last counted look (or reaches 1): reading the verdict more often (a console refreshing) just returns the
 * last verdict and spends nothing. Looks past the planned sample are not counted: the experiment has
 * concluded. Once a boundary is crossed the verdict is final. Thread-safe (looks are serialised).
 */
public final class SequentialMonitor {

    private final int controlVersion;
    private final int variantVersion;
    private final long plannedPerVariant;
    private final double minStep;
    private AlphaSpendingBoundary node;
    private Verdict verdict;

    /**
     * @param schedule the boundary tree to use, from {@link AlphaSpendingBoundary#start(double)}; simulations
     *        share one so identical schedules are computed once
     * @param plannedPerVariant planned requests per variant (e.g. from {@link SampleSize#forProportions})
     * @param minStep the smallest growth of the information fraction that counts as a new look (e.g. 0.01)
     */
    public SequentialMonitor(int controlVersion, int variantVersion, AlphaSpendingBoundary schedule,
            long plannedPerVariant, double minStep) {
        if (plannedPerVariant <= 0 || schedule.look() != 0 || !(minStep > 0 && minStep <= 1)) {
            throw new IllegalArgumentException("planned " + plannedPerVariant + ", minStep " + minStep);
        }
        this.controlVersion = controlVersion;
        this.variantVersion = variantVersion;
        this.plannedPerVariant = plannedPerVariant;
        this.minStep = minStep;
        this.node = schedule;
        this.verdict = Verdict.undecided(1, 0, 2 * plannedPerVariant, 0, 0);
    }

    public SequentialMonitor(int controlVersion, int variantVersion, double alpha, long plannedPerVariant) {
        this(controlVersion, variantVersion, AlphaSpendingBoundary.start(alpha), plannedPerVariant, 0.01);
    }

    /** Counts a look at this comparison where it adds enough information, and returns the verdict. */
    public synchronized Verdict look(Comparison comparison) {
        if (verdict.concluded()) {
            return verdict;
        }
        long n = Math.min(comparison.controlN(), comparison.variantN());
        double t = Math.min(1.0, (double) n / plannedPerVariant);
        long needed = Math.max(0, plannedPerVariant - comparison.controlN())
                + Math.max(0, plannedPerVariant - comparison.variantN());
        if (t <= node.fraction() || (t < 1 && t - node.fraction() < minStep) || Double.isNaN(comparison.difference())) {
            // not a new look: the last verdict, with the current count of requests still needed
            return verdict = verdict.winner() == null && !verdict.concluded()
                    ? Verdict.undecided(verdict.pValue(), verdict.nominalAlpha(), Math.max(1, needed),
                            verdict.informationFraction(), verdict.looks())
                    : verdict;
        }
        node = node.next(t);
        double z = comparison.z();
        if (Math.abs(z) >= node.boundary()) {
            boolean better = comparison.variantBetter();
            verdict = new Verdict(better ? variantVersion : controlVersion, comparison.pValue(), node.nominalAlpha(),
                    needed, t, node.look(), true, better ? "B better" : "B worse");
        } else {
            verdict = Verdict.undecided(comparison.pValue(), node.nominalAlpha(), t >= 1 ? 0 : Math.max(1, needed), t,
                    node.look());
        }
        return verdict;
    }

    public synchronized Verdict verdict() {
        return verdict;
    }

    public long plannedPerVariant() {
        return plannedPerVariant;
    }
}
