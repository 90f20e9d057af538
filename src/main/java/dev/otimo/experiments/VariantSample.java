package dev.otimo.experiments;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What one variant (model version) of an experiment has seen so far: requests, errors, a latency histogram and
 * the outcomes reported later (successes out of trials for accuracy, or the sum and sum of squares of a numeric
 * error).
 *
 * <p>Why this shape: recording happens on the request path, so every method is wait-free (adders and an
 * HdrHistogram {@link ConcurrentHistogram}) and keeps no samples; everything the statistics need can be
 * computed from these counters and the histogram. A {@link #snapshot()} is an immutable copy that the
 * analysis works on while recording continues. Under concurrent recording a snapshot is not one atomic cut
 * across the counters (a request may be counted without its latency yet); each counter is exact once recording
 * stops.
 */
public final class VariantSample {

    /** Latencies are recorded in microseconds, up to an hour, with three significant digits. */
    static final long HIGHEST_TRACKABLE_MICROS = 3_600_000_000L;
    private static final int SIGNIFICANT_DIGITS = 3;

    private final int version;
    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final ConcurrentHistogram latencyMicros = new ConcurrentHistogram(1, HIGHEST_TRACKABLE_MICROS, SIGNIFICANT_DIGITS);
    private final LongAdder outcomeTrials = new LongAdder();
    private final LongAdder outcomeSuccesses = new LongAdder();
    private final LongAdder numericOutcomes = new LongAdder();
    private final DoubleAdder numericSum = new DoubleAdder();
    private final DoubleAdder numericSumOfSquares = new DoubleAdder();

    public VariantSample(int version) {
        this.version = version;
    }

    public int version() {
        return version;
    }

    /** One request answered by this variant, successfully or not, and how long it took. */
    public void recordRequest(boolean error, long latencyMicros) {
        requests.increment();
        if (error) {
            errors.increment();
        }
        this.latencyMicros.recordValue(Math.max(1, Math.min(latencyMicros, HIGHEST_TRACKABLE_MICROS)));
    }

    /** An outcome reported later for a classification: was this variant's answer right. */
    public void recordOutcome(boolean correct) {
        outcomeTrials.increment();
        if (correct) {
            outcomeSuccesses.increment();
        }
    }

    /** An outcome reported later for a numeric output: the error of this variant's answer (e.g. prediction - label). */
    public void recordNumericError(double error) {
        numericOutcomes.increment();
        numericSum.add(error);
        numericSumOfSquares.add(error * error);
    }

    public Snapshot snapshot() {
        Histogram copy = latencyMicros.copy();
        return new Snapshot(version, requests.sum(), errors.sum(), copy, outcomeTrials.sum(), outcomeSuccesses.sum(),
                numericOutcomes.sum(), numericSum.sum(), numericSumOfSquares.sum());
    }

    /**
     * An immutable view of a {@link VariantSample}. The histogram is a private copy; {@link #latencyMicros()}
     * hands out another copy so callers cannot change it.
     */
    public static final class Snapshot {
        private final int version;
        private final long requests;
        private final long errors;
        private final Histogram latencyMicros;
        private final long outcomeTrials;
        private final long outcomeSuccesses;
        private final long numericOutcomes;
        private final double numericSum;
        private final double numericSumOfSquares;

        Snapshot(int version, long requests, long errors, Histogram latencyMicros, long outcomeTrials,
                long outcomeSuccesses, long numericOutcomes, double numericSum, double numericSumOfSquares) {
            this.version = version;
            this.requests = requests;
            this.errors = errors;
            this.latencyMicros = latencyMicros;
            this.outcomeTrials = outcomeTrials;
            this.outcomeSuccesses = outcomeSuccesses;
            this.numericOutcomes = numericOutcomes;
            this.numericSum = numericSum;
            this.numericSumOfSquares = numericSumOfSquares;
        }

        public int version() { return version; }
        public long requests() { return requests; }
        public long errors() { return errors; }
        public long outcomeTrials() { return outcomeTrials; }
        public long outcomeSuccesses() { return outcomeSuccesses; }
        public long numericOutcomes() { return numericOutcomes; }
        public double numericSum() { return numericSum; }
        public double numericSumOfSquares() { return numericSumOfSquares; }

        /** A copy of the latency histogram (microseconds). */
        public Histogram latencyMicros() {
            return latencyMicros.copy();
        }

        /** Read-only access for this package, without copying. */
        Histogram latencyHistogram() {
            return latencyMicros;
        }

        public double errorRate() {
            return requests == 0 ? Double.NaN : (double) errors / requests;
        }

        public double accuracy() {
            return outcomeTrials == 0 ? Double.NaN : (double) outcomeSuccesses / outcomeTrials;
        }

        public double meanNumericError() {
            return numericOutcomes == 0 ? Double.NaN : numericSum / numericOutcomes;
        }

        /** Sample variance of the numeric errors (n - 1 in the denominator). */
        public double numericErrorVariance() {
            if (numericOutcomes < 2) {
                return Double.NaN;
            }
            double mean = numericSum / numericOutcomes;
            return Math.max(0, (numericSumOfSquares - numericOutcomes * mean * mean) / (numericOutcomes - 1));
        }

        /** The latency at a quantile q in [0, 1], in milliseconds; NaN without requests. */
        public double latencyMillis(double q) {
            return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getValueAtPercentile(q * 100) / 1000.0;
        }
    }
}
