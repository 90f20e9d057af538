package dev.otimo.experiments;

import dev.otimo.routing.RoutingPolicy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What an admin asks for when starting an experiment: the arms with their relative weights (the first is the
 * control), the primary metric, alpha, optionally the sample per variant and automatic promotion.
 *
 * <p>Weights are relative: they need not sum to 100, only to more than 0, and are turned into whole percent
 * for routing by the largest remainder. Without {@code minSamplePerVariant} the planned sample is the one that
 * detects a change of 2 points from a 5 % rate with 80 % power ({@link SampleSize}), at the alpha each variant gets.
 */
public record ExperimentPlan(List<RoutingPolicy.Variant> variants, Metric metric, double alpha, Long minSamplePerVariant,
                             boolean autoPromote) {

    /** Baseline rate, smallest change and power of the default planned sample. */
    static final double DEFAULT_BASELINE = 0.05;
    static final double DEFAULT_EFFECT = 0.02;
    static final double DEFAULT_POWER = 0.8;
    static final long MIN_SAMPLE = 10;
    static final long MAX_SAMPLE = 1_000_000_000L;

    public ExperimentPlan {
        variants = List.copyOf(variants);
    }

    /** Returns this plan when its shape is sound, else throws {@link IllegalArgumentException} saying why. */
    public ExperimentPlan validated() {
        if (variants.size() < 2) {
            throw new IllegalArgumentException("an experiment needs at least two variants, the control first: "
                    + "{\"variants\": [{\"version\": 1, \"weight\": 50}, {\"version\": 2, \"weight\": 50}]}");
        }
        if (variants.size() > RoutingPolicy.MAX_VARIANTS) {
            throw new IllegalArgumentException("an experiment takes at most " + RoutingPolicy.MAX_VARIANTS + " variants, got "
                    + variants.size());
        }
        Set<Integer> seen = new HashSet<>();
        long sum = 0;
        for (RoutingPolicy.Variant v : variants) {
            if (v.version() < 1) {
                throw new IllegalArgumentException("variant version must be a version number (1 or more), was " + v.version());
            }
            if (!seen.add(v.version())) {
                throw new IllegalArgumentException("version " + v.version() + " is listed twice in variants");
            }
            if (v.weight() < 0) {
                throw new IllegalArgumentException("weight of version " + v.version() + " must not be negative, was " + v.weight());
            }
            sum += v.weight();
        }
        if (sum <= 0) {
            throw new IllegalArgumentException("variant weights must sum to more than 0");
        }
        if (!(alpha > 0 && alpha <= 0.5)) {
            throw new IllegalArgumentException("alpha must be in (0, 0.5], e.g. 0.05; was " + alpha);
        }
        if (minSamplePerVariant != null && (minSamplePerVariant < MIN_SAMPLE || minSamplePerVariant > MAX_SAMPLE)) {
            throw new IllegalArgumentException("minSamplePerVariant must be " + MIN_SAMPLE + " to " + MAX_SAMPLE + ", was "
                    + minSamplePerVariant);
        }
        return this;
    }

    /** The versions in order, the control first. */
    public List<Integer> versions() {
        return variants.stream().map(RoutingPolicy.Variant::version).toList();
    }

    /** The weights in whole percent summing to 100 (largest remainder; ties to the earlier variant). */
    public List<RoutingPolicy.Variant> percentages() {
        long sum = variants.stream().mapToLong(RoutingPolicy.Variant::weight).sum();
        int[] percent = new int[variants.size()];
        double[] remainder = new double[variants.size()];
        int given = 0;
        for (int i = 0; i < percent.length; i++) {
            double exact = 100.0 * variants.get(i).weight() / sum;
            percent[i] = (int) Math.floor(exact);
            remainder[i] = exact - percent[i];
            given += percent[i];
        }
        for (; given < 100; given++) {
            int best = 0;
            for (int i = 1; i < percent.length; i++) {
                if (remainder[i] > remainder[best]) {
                    best = i;
                }
            }
            percent[best]++;
            remainder[best] = -1;
        }
        List<RoutingPolicy.Variant> out = new ArrayList<>();
        for (int i = 0; i < percent.length; i++) {
            out.add(new RoutingPolicy.Variant(variants.get(i).version(), percent[i]));
        }
        return out;
    }

    /** Requests (or outcomes, for accuracy) per variant at which the experiment concludes at the latest. */
    public long plannedPerVariant() {
        if (minSamplePerVariant != null) {
            return minSamplePerVariant;
        }
        return SampleSize.forProportions(DEFAULT_BASELINE, DEFAULT_EFFECT, alpha / (variants.size() - 1), DEFAULT_POWER);
    }

    /** One line for the audit log, e.g. {@code v1 50%, v2 50%; errorRate, alpha 0.05, 2300 per variant}. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        for (RoutingPolicy.Variant v : percentages()) {
            s.append(s.isEmpty() ? "" : ", ").append('v').append(v.version()).append(' ').append(v.weight()).append('%');
        }
        s.append("; ").append(metric.wireName()).append(", alpha ").append(alpha).append(", ").append(plannedPerVariant())
                .append(" per variant");
        if (autoPromote) {
            s.append(", auto-promote");
        }
        return s.toString();
    }
}
