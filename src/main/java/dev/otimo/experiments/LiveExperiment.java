package dev.otimo.experiments;

import dev.otimo.registry.RoutingVariant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * An open experiment as this replica runs it: a {@link VariantSample} per arm that the request path records
 * into, the agreement counts of shadowed traffic, and a {@link SequentialMonitor} per variant that turns each
 * look at the statistics into a verdict.
 *
 * <p>Counters live only here, in memory, from the moment this replica loaded the experiment: after a restart
 * an experiment continues with fresh counters (and its sequential test starts over), and each replica judges
 * the traffic it served itself. With more than one variant the alpha is split evenly over the variants
 * (Bonferroni), so the chance of any false winner stays at alpha. Recording is wait-free; {@link #report()}
 * may be called from any thread.
 */
final class LiveExperiment {

    private final long id;
    private final String model;
    private final Metric metric;
    private final double alpha;
    private final int control;
    private final long plannedPerVariant;
    private final boolean autoPromote;
    private final List<RoutingVariant> arms;
    private final Map<Integer, VariantSample> samples = new LinkedHashMap<>();
    private final Map<Integer, SequentialMonitor> monitors = new LinkedHashMap<>();
    private final Map<Integer, LongAdder> compared = new LinkedHashMap<>();
    private final Map<Integer, LongAdder> agreed = new LinkedHashMap<>();
    private final LongAdder unknownOutcomes = new LongAdder();
    private final LongAdder expiredOutcomes = new LongAdder();
    /** Whether the database already says CONCLUDED (or more), so the judge need not write it again. */
    private volatile boolean concludedStored;

    LiveExperiment(long id, String model, Metric metric, double alpha, List<RoutingVariant> arms, long plannedPerVariant,
                   boolean autoPromote) {
        this.id = id;
        this.model = model;
        this.metric = metric;
        this.alpha = alpha;
        this.arms = List.copyOf(arms);
        this.control = arms.get(0).getVersion();
        this.plannedPerVariant = plannedPerVariant;
        this.autoPromote = autoPromote;
        double perVariantAlpha = alpha / (arms.size() - 1);
        for (RoutingVariant arm : arms) {
            samples.put(arm.getVersion(), new VariantSample(arm.getVersion()));
            if (arm.getVersion() != control) {
                monitors.put(arm.getVersion(), new SequentialMonitor(control, arm.getVersion(), perVariantAlpha, plannedPerVariant));
                compared.put(arm.getVersion(), new LongAdder());
                agreed.put(arm.getVersion(), new LongAdder());
            }
        }
    }

    static LiveExperiment of(Experiment e) {
        LiveExperiment live = new LiveExperiment(e.getId(), e.getModel().getName(), e.getMetric(), e.getAlpha(), e.getVariants(),
                e.getPlannedPerVariant(), e.isAutoPromote());
        live.concludedStored = e.getStatus() != ExperimentStatus.RUNNING;
        return live;
    }

    long id() {
        return id;
    }

    String model() {
        return model;
    }

    int control() {
        return control;
    }

    boolean autoPromote() {
        return autoPromote;
    }

    boolean concludedStored() {
        return concludedStored;
    }

    void concludedStored(boolean stored) {
        concludedStored = stored;
    }

    List<RoutingVariant> arms() {
        return arms;
    }

    /** Whether {@code version} is one of the arms. */
    boolean hasArm(int version) {
        return samples.containsKey(version);
    }

    /** One request the arm answered or failed, and how long it took end to end. Wait-free. */
    void recordRequest(int version, boolean error, long nanos) {
        VariantSample sample = samples.get(version);
        if (sample != null) {
            sample.recordRequest(error, nanos / 1000);
        }
    }

    /**
     * An outcome reported for a request the arm answered: right or wrong for a class, the absolute error for a
     * number. False when the label cannot be compared with the prediction (a word for a numeric output).
     */
    boolean recordOutcome(int version, Prediction prediction, Object label) {
        VariantSample sample = samples.get(version);
        if (sample == null) {
            return false;
        }
        if (!prediction.numeric()) {
            sample.recordOutcome(prediction.matches(label));
            return true;
        }
        double error = prediction.absoluteError(label);
        if (Double.isNaN(error)) {
            return false;
        }
        sample.recordNumericError(error);
        return true;
    }

    /** A shadowed request on which {@code version} and the control both answered: did their top-1 classes agree. */
    void recordAgreement(int version, boolean same) {
        LongAdder n = compared.get(version);
        if (n != null) {
            n.increment();
            if (same) {
                agreed.get(version).increment();
            }
        }
    }

    /** Outcomes reported for the model that joined no answer. */
    void outcomesNotJoined(int unknown, int expired) {
        unknownOutcomes.add(unknown);
        expiredOutcomes.add(expired);
    }

    /** The statistics now, and the verdict: each call is a look (counted when enough was added since the last). */
    ExperimentReport report() {
        double confidence = 1 - alpha;
        Map<Integer, VariantSample.Snapshot> now = new LinkedHashMap<>();
        samples.forEach((version, sample) -> now.put(version, sample.snapshot()));
        List<ExperimentReport.VariantFigures> figures = new ArrayList<>();
        for (RoutingVariant arm : arms) {
            figures.add(figures(arm, now.get(arm.getVersion()), confidence));
        }
        VariantSample.Snapshot controlNow = now.get(control);
        List<ExperimentReport.ComparisonFigures> comparisons = new ArrayList<>();
        List<Verdict> verdicts = new ArrayList<>();
        List<ExperimentReport.Agreement> agreement = new ArrayList<>();
        for (Map.Entry<Integer, SequentialMonitor> entry : monitors.entrySet()) {
            int version = entry.getKey();
            VariantSample.Snapshot variant = now.get(version);
            long seed = id * 1_000_003L + version;
            for (Metric m : Metric.values()) {
                if (m == Metric.ACCURACY && (controlNow.outcomeTrials() == 0 || variant.outcomeTrials() == 0) && m != metric) {
                    continue;
                }
                Comparison c = Comparisons.compare(m, controlNow, variant, confidence, seed);
                comparisons.add(ExperimentReport.ComparisonFigures.of(c));
                if (m == metric) {
                    verdicts.add(entry.getValue().look(c));
                }
            }
            long n = compared.get(version).sum();
            if (n > 0) {
                Interval rate = Intervals.wilson(agreed.get(version).sum(), n, confidence);
                agreement.add(new ExperimentReport.Agreement(version, control, n, rate.estimate(),
                        rate.lower(), rate.upper()));
            }
        }
        return new ExperimentReport(figures, agreement, comparisons, verdict(verdicts, now),
                unknownOutcomes.sum(), expiredOutcomes.sum());
    }

    private ExperimentReport.VariantFigures figures(RoutingVariant arm, VariantSample.Snapshot s, double confidence) {
        long seed = id * 7_919L + arm.getVersion();
        Map<String, ExperimentReport.Bounds> intervals = new LinkedHashMap<>();
        intervals.put("errorRate", ExperimentReport.Bounds.of(Intervals.errorRate(s, confidence)));
        Interval p50 = Intervals.latencyMillis(s, 0.5, confidence, seed);
        Interval p95 = Intervals.latencyMillis(s, 0.95, confidence, seed + 1);
        Interval p99 = Intervals.latencyMillis(s, 0.99, confidence, seed + 2);
        intervals.put("p50Millis", ExperimentReport.Bounds.of(p50));
        intervals.put("p95Millis", ExperimentReport.Bounds.of(p95));
        intervals.put("p99Millis", ExperimentReport.Bounds.of(p99));
        intervals.put("accuracy", ExperimentReport.Bounds.of(Intervals.accuracy(s, confidence)));
        Interval meanError = Intervals.meanNumericError(s, confidence);
        intervals.put("meanError", ExperimentReport.Bounds.of(meanError));
        return new ExperimentReport.VariantFigures(arm.getVersion(), arm.getWeight(), s.requests(), s.errors(),
                ExperimentReport.finite(s.errorRate()), ExperimentReport.finite(p50.estimate()),
                ExperimentReport.finite(p95.estimate()), ExperimentReport.finite(p99.estimate()),
                ExperimentReport.finite(s.accuracy()), ExperimentReport.finite(s.meanNumericError()),
                s.outcomeTrials() + s.numericOutcomes(), intervals);
    }

    /** One verdict over all variants: the single variant's as it is; with several, the best variant that won. */
    private ExperimentReport.VerdictFigures verdict(List<Verdict> verdicts, Map<Integer, VariantSample.Snapshot> now) {
        if (verdicts.size() == 1) {
            Verdict v = verdicts.get(0);
            return new ExperimentReport.VerdictFigures(v.winner(), ExperimentReport.finite(v.pValue()),
                    v.looks() == 0 ? null : ExperimentReport.finite(v.nominalAlpha()), v.requestsNeeded(),
                    v.informationFraction(), v.looks(), v.concluded(), v.text());
        }
        Verdict better = null;
        boolean allConcluded = true;
        boolean allWorse = true;
        int looks = 0;
        double fraction = 1;
        for (Verdict v : verdicts) {
            allConcluded &= v.concluded();
            boolean variantWon = v.winner() != null && v.winner() != control;
            allWorse &= v.winner() != null && v.winner() == control;
            if (variantWon && (better == null || v.pValue() < better.pValue())) {
                better = v;
            }
            looks = Math.max(looks, v.looks());
            fraction = Math.min(fraction, v.informationFraction());
        }
        long needed = 0;
        for (VariantSample.Snapshot s : now.values()) {
            needed += Math.max(0, plannedPerVariant - sampleSize(s));
        }
        if (better != null) {
            return new ExperimentReport.VerdictFigures(better.winner(), ExperimentReport.finite(better.pValue()),
                    ExperimentReport.finite(better.nominalAlpha()), needed, fraction, looks, true,
                    "version " + better.winner() + " better");
        }
        Verdict first = verdicts.get(0);
        Double p = ExperimentReport.finite(verdicts.stream().mapToDouble(Verdict::pValue).min().orElse(1));
        Double nominal = looks == 0 ? null : ExperimentReport.finite(first.nominalAlpha());
        if (allConcluded && allWorse) {
            return new ExperimentReport.VerdictFigures(control, p, nominal, needed, fraction, looks, true,
                    "B worse (every variant worse than version " + control + ")");
        }
        if (allConcluded) {
            return new ExperimentReport.VerdictFigures(null, p, nominal, needed, fraction, looks, true, "no difference detected");
        }
        return new ExperimentReport.VerdictFigures(null, p, nominal, Math.max(1, needed), fraction, looks, false,
                "no difference detected yet (need ~" + Math.max(1, needed) + " more requests)");
    }

    /** What the primary metric counts for one arm: requests, latencies, or reported outcomes. */
    private long sampleSize(VariantSample.Snapshot s) {
        return switch (metric) {
            case ERROR_RATE -> s.requests();
            case LATENCY -> s.latencyHistogram().getTotalCount();
            case ACCURACY -> s.outcomeTrials();
        };
    }
}
