package dev.otimo.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The statistics engine of A/B experiments: false positives under repeated looks, power at the planned
 * sample, interval coverage, and exact counts under concurrent recording. Simulations are seeded.
 */
class ExperimentStatisticsTest {

    private static final double ALPHA = 0.05;

    /** Error counts of one variant after each batch of 100 requests, up to the horizon. */
    private static long[] cumulativeErrors(SplittableRandom random, double p, int batches) {
        long[] errors = new long[batches];
        long total = 0;
        for (int b = 0; b < batches; b++) {
            for (int i = 0; i < 100; i++) {
                if (random.nextDouble() < p) {
                    total++;
                }
            }
            errors[b] = total;
        }
        return errors;
    }

    @Test
    void aaExperimentsCheckedEvery100RequestsKeepTheFalsePositiveRateNearAlphaWhileNaiveTestingDoesNot() {
        double[] rates = aaFalsePositiveRates(17);
        System.out.printf("A/A, 20 looks: alpha spending %.3f, naive repeated z tests %.3f%n", rates[0], rates[1]);
        assertThat(rates[0]).isBetween(ALPHA / 2, 2 * ALPHA);
        assertThat(rates[1]).isGreaterThan(2 * ALPHA);
    }

    /**
     * 1,000 A/A experiments (5 % errors on both sides), looked at after every 100 requests per variant up to
     * 2,000: the fraction declaring a winner with alpha spending and with a plain z test at each look.
     */
    static double[] aaFalsePositiveRates(long seed) {
        int experiments = 1_000;
        int batches = 20; // 2,000 requests per variant
        long planned = 2_000;
        AlphaSpendingBoundary schedule = AlphaSpendingBoundary.start(ALPHA);
        SplittableRandom random = new SplittableRandom(seed);
        int sequentialWinners = 0;
        int naiveWinners = 0;
        for (int e = 0; e < experiments; e++) {
            long[] a = cumulativeErrors(random, 0.05, batches);
            long[] b = cumulativeErrors(random, 0.05, batches);
            SequentialMonitor monitor = new SequentialMonitor(1, 2, schedule, planned, 0.01);
            boolean naive = false;
            Verdict verdict = monitor.verdict();
            for (int k = 0; k < batches; k++) {
                long n = 100L * (k + 1);
                Comparison c = Comparisons.twoProportions(Metric.ERROR_RATE, 1, 2, a[k], n, b[k], n, 0.95);
                verdict = monitor.look(c);
                naive |= c.pValue() < ALPHA;
            }
            assertThat(verdict.concluded()).isTrue();
            if (verdict.winner() != null) {
                sequentialWinners++;
            }
            if (naive) {
                naiveWinners++;
            }
        }
        return new double[] {sequentialWinners / (double) experiments, naiveWinners / (double) experiments};
    }

    @Test
    void aTwoPointErrorRateDifferenceIsDetectedAtThePlannedSample() {
        long planned = SampleSize.forProportions(0.05, 0.02, ALPHA, 0.8);
        long fixed = SampleSize.fixedForProportions(0.05, 0.02, ALPHA, 0.8);
        assertThat(fixed).isBetween(2_150L, 2_250L); // the textbook figure for 5 % vs 7 %
        assertThat(planned).isGreaterThan(fixed).isLessThan((long) (fixed * 1.1));
        double[] result = detectionRate(planned, 7);
        System.out.printf("5 %% vs 7 %%: planned %d per variant (fixed test %d), detected %.3f, wrong way %.3f%n",
                planned, fixed, result[0], result[1]);
        assertThat(result[0]).isGreaterThanOrEqualTo(0.80);
        assertThat(result[1]).isZero();
    }

    /**
     * 5,000 experiments with 5 % errors on the control and 7 % on the variant, looked at every 100 requests up
     * to the planned sample: the fraction that declares "B worse", and the fraction declaring the wrong winner.
     * The design's power is about 0.81 (0.812 over 30 seeds of 1,000); 5,000 experiments keep the standard
     * error (0.0055) small enough that the check against 0.80 does not depend on the seed.
     */
    static double[] detectionRate(long planned, long seed) {
        int batches = (int) ((planned + 99) / 100);
        AlphaSpendingBoundary schedule = AlphaSpendingBoundary.start(ALPHA);
        SplittableRandom random = new SplittableRandom(seed);
        int experiments = 5_000;
        int detected = 0;
        int wrongWay = 0;
        for (int e = 0; e < experiments; e++) {
            long[] a = cumulativeErrors(random, 0.05, batches);
            long[] b = cumulativeErrors(random, 0.07, batches);
            SequentialMonitor monitor = new SequentialMonitor(1, 2, schedule, planned, 0.01);
            Verdict verdict = monitor.verdict();
            for (int k = 0; k < batches && !verdict.concluded(); k++) {
                long n = Math.min(planned, 100L * (k + 1));
                // the last batch is cut at the planned sample: requests past it are not used
                long ea = k == batches - 1 ? a[k] - (100L * (k + 1) - n) * a[k] / (100L * (k + 1)) : a[k];
                long eb = k == batches - 1 ? b[k] - (100L * (k + 1) - n) * b[k] / (100L * (k + 1)) : b[k];
                verdict = monitor.look(Comparisons.twoProportions(Metric.ERROR_RATE, 1, 2, ea, n, eb, n, 0.95));
            }
            assertThat(verdict.concluded()).isTrue();
            if (verdict.winner() != null && verdict.winner() == 1) {
                detected++;
                assertThat(verdict.text()).isEqualTo("B worse");
            } else if (verdict.winner() != null) {
                wrongWay++;
            }
        }
        return new double[] {detected / (double) experiments, wrongWay / (double) experiments};
    }

    @Test
    void boundariesSpendExactlyAlphaAndEndNearTheFixedSampleThreshold() {
        int looks = 20;
        double[] fractions = new double[looks];
        double[] boundaries = new double[looks];
        AlphaSpendingBoundary node = AlphaSpendingBoundary.start(ALPHA);
        for (int k = 0; k < looks; k++) {
            fractions[k] = (k + 1.0) / looks;
            node = node.next(fractions[k]);
            boundaries[k] = node.boundary();
        }
        assertThat(AlphaSpendingBoundary.crossingProbability(fractions, boundaries, 0)).isCloseTo(ALPHA, within(2e-4));
        assertThat(boundaries[0]).isGreaterThan(8); // almost nothing spent at 5 %
        System.out.println("boundaries, 20 looks: " + java.util.Arrays.toString(boundaries));
        assertThat(boundaries[looks - 1]).isBetween(1.96, 2.2);
        // five equally spaced looks: the published Lan–DeMets O'Brien–Fleming boundaries (e.g. gsDesign sfLDOF)
        double[] published = {4.877, 3.357, 2.680, 2.290, 2.031};
        AlphaSpendingBoundary five = AlphaSpendingBoundary.start(ALPHA);
        for (int k = 0; k < 5; k++) {
            five = five.next((k + 1) / 5.0);
            System.out.println("five looks, boundary " + (k + 1) + ": " + five.boundary());
            assertThat(five.boundary()).isCloseTo(published[k], within(0.01));
        }
        // the same schedule is computed once
        assertThat(AlphaSpendingBoundary.start(ALPHA).next(0.5).boundary())
                .isCloseTo(AlphaSpendingBoundary.start(ALPHA).next(0.5).boundary(), within(0.0));
        assertThat(SampleSize.inflation(ALPHA, 0.8)).isBetween(1.01, 1.06);
    }

    @Test
    void verdictTextsAndRequestsNeeded() {
        SequentialMonitor monitor = new SequentialMonitor(1, 2, ALPHA, 1_000);
        Verdict early = monitor.look(Comparisons.twoProportions(Metric.ERROR_RATE, 1, 2, 5, 100, 6, 100, 0.95));
        assertThat(early.winner()).isNull();
        assertThat(early.requestsNeeded()).isEqualTo(1_800);
        assertThat(early.text()).isEqualTo("no difference detected yet (need ~1800 more requests)");
        // a refresh with no new information is not a look
        Verdict again = monitor.look(Comparisons.twoProportions(Metric.ERROR_RATE, 1, 2, 5, 100, 90, 100, 0.95));
        assertThat(again.looks()).isEqualTo(1);
        assertThat(again.winner()).isNull();
        Verdict better = monitor.look(Comparisons.twoProportions(Metric.ERROR_RATE, 1, 2, 50, 500, 10, 500, 0.95));
        assertThat(better.winner()).isEqualTo(2);
        assertThat(better.text()).isEqualTo("B better");
        assertThat(better.pValue()).isLessThanOrEqualTo(better.nominalAlpha());
        assertThat(better.concluded()).isTrue();

        SequentialMonitor accuracy = new SequentialMonitor(1, 2, ALPHA, 1_000);
        Verdict worse = accuracy.look(Comparisons.twoProportions(Metric.ACCURACY, 1, 2, 900, 1_000, 800, 1_000, 0.95));
        assertThat(worse.winner()).isEqualTo(1);
        assertThat(worse.text()).isEqualTo("B worse");

        SequentialMonitor none = new SequentialMonitor(1, 2, ALPHA, 1_000);
        Verdict end = none.look(Comparisons.twoProportions(Metric.ERROR_RATE, 1, 2, 50, 1_000, 51, 1_000, 0.95));
        assertThat(end.concluded()).isTrue();
        assertThat(end.requestsNeeded()).isZero();
        assertThat(end.text()).isEqualTo("no difference detected");
    }

    @Test
    void wilsonIntervalsCoverTheTrueProportionAbout95PercentOfTheTime() {
        SplittableRandom random = new SplittableRandom(3);
        double[][] cases = {{0.05, 200}, {0.2, 100}, {0.02, 1_000}, {0.5, 50}};
        int simulations = 4_000; // exact coverages of these cases: 0.967, 0.941, 0.947, 0.935
        double totalCoverage = 0;
        for (double[] c : cases) {
            double p = c[0];
            int n = (int) c[1];
            int covered = 0;
            for (int s = 0; s < simulations; s++) {
                int x = 0;
                for (int i = 0; i < n; i++) {
                    if (random.nextDouble() < p) {
                        x++;
                    }
                }
                if (Intervals.wilson(x, n, 0.95).contains(p)) {
                    covered++;
                }
            }
            double coverage = covered / (double) simulations;
            System.out.printf("Wilson p=%.2f n=%d: coverage %.3f%n", p, n, coverage);
            assertThat(coverage).isBetween(0.92, 0.98);
            totalCoverage += coverage;
        }
        assertThat(totalCoverage / cases.length).isBetween(0.935, 0.965);
        Interval none = Intervals.wilson(0, 10, 0.95);
        assertThat(none.lower()).isCloseTo(0, within(1e-12));
        assertThat(none.upper()).isCloseTo(0.2775, within(1e-3));
    }

    @Test
    void bootstrapMedianIntervalContainsTheTrueMedianForAtLeast90PercentOfSeeds() {
        double meanMicros = 50_000; // exponential latency, mean 50 ms
        double trueMedian = meanMicros * Math.log(2);
        int seeds = 400;
        int contained = 0;
        for (int seed = 0; seed < seeds; seed++) {
            SplittableRandom random = new SplittableRandom(1_000 + seed);
            Histogram histogram = new Histogram(1, VariantSample.HIGHEST_TRACKABLE_MICROS, 3);
            for (int i = 0; i < 1_000; i++) {
                histogram.recordValue(Math.max(1, (long) (-meanMicros * Math.log(1 - random.nextDouble()))));
            }
            Interval interval = Intervals.bootstrapQuantile(histogram, 0.5, 0.95, seed);
            assertThat(interval.lower()).isLessThanOrEqualTo(interval.estimate());
            assertThat(interval.upper()).isGreaterThanOrEqualTo(interval.estimate());
            if (interval.contains(trueMedian)) {
                contained++;
            }
        }
        System.out.printf("bootstrap p50 interval contains the true median for %d of %d seeds%n", contained, seeds);
        assertThat(contained / (double) seeds).isGreaterThanOrEqualTo(0.90);
        // reproducible from the seed
        Histogram h = new Histogram(1, VariantSample.HIGHEST_TRACKABLE_MICROS, 3);
        for (int i = 1; i <= 500; i++) {
            h.recordValue(i * 100L);
        }
        assertThat(Intervals.bootstrapQuantile(h, 0.99, 0.95, 5)).isEqualTo(Intervals.bootstrapQuantile(h, 0.99, 0.95, 5));
    }

    @Test
    void latencyComparisonFindsASlowerVariantAndNotAnIdenticalOne() {
        SplittableRandom random = new SplittableRandom(11);
        VariantSample control = new VariantSample(1);
        VariantSample slower = new VariantSample(2);
        VariantSample same = new VariantSample(3);
        for (int i = 0; i < 3_000; i++) {
            control.recordRequest(false, (long) (-50_000 * Math.log(1 - random.nextDouble())));
            slower.recordRequest(false, (long) (-60_000 * Math.log(1 - random.nextDouble())));
            same.recordRequest(false, (long) (-50_000 * Math.log(1 - random.nextDouble())));
        }
        Comparison worse = Comparisons.compare(Metric.LATENCY, control.snapshot(), slower.snapshot(), 0.95, 1);
        assertThat(worse.pValue()).isLessThan(1e-4);
        assertThat(worse.variantBetter()).isFalse();
        assertThat(worse.difference()).isPositive(); // milliseconds
        assertThat(worse.differenceInterval().lower()).isPositive();
        assertThat(worse.differenceInterval().contains(60 * Math.log(2) - 50 * Math.log(2))).isTrue();
        Comparison equal = Comparisons.compare(Metric.LATENCY, control.snapshot(), same.snapshot(), 0.95, 1);
        assertThat(equal.pValue()).isGreaterThan(0.01);
        assertThat(equal.differenceInterval().contains(0)).isTrue();
    }

    @Test
    void latencyComparisonOfVariantsWithEveryValueTiedIsNoDifference() {
        // a fast model whose requests all land in one histogram bucket: the rank test has no variance (p = NaN)
        VariantSample control = new VariantSample(1);
        VariantSample variant = new VariantSample(2);
        for (int i = 0; i < 500; i++) {
            control.recordRequest(false, 2_000);
            variant.recordRequest(false, 2_000);
        }
        Comparison c = Comparisons.compare(Metric.LATENCY, control.snapshot(), variant.snapshot(), 0.95, 1);
        assertThat(c.pValue()).isEqualTo(1.0);
        assertThat(c.z()).isZero();
        assertThat(c.difference()).isZero();
        Verdict verdict = new SequentialMonitor(1, 2, ALPHA, 500).look(c);
        assertThat(verdict.winner()).isNull();
        assertThat(verdict.text()).isEqualTo("no difference detected");
    }

    @Test
    void eightThreadsRecordingIntoOneVariantGiveExactCounts() throws Exception {
        VariantSample sample = new VariantSample(4);
        int threads = 8;
        int perThread = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    sample.recordRequest(i % 10 == 0, 1_000 + i % 500);
                    sample.recordOutcome(i % 4 != 0);
                    sample.recordNumericError(i % 2 == 0 ? 1 : -1);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        VariantSample.Snapshot snapshot = sample.snapshot();
        long total = (long) threads * perThread;
        assertThat(snapshot.requests()).isEqualTo(total);
        assertThat(snapshot.errors()).isEqualTo(total / 10);
        assertThat(snapshot.latencyMicros().getTotalCount()).isEqualTo(total);
        assertThat(snapshot.outcomeTrials()).isEqualTo(total);
        assertThat(snapshot.outcomeSuccesses()).isEqualTo(total * 3 / 4);
        assertThat(snapshot.numericOutcomes()).isEqualTo(total);
        assertThat(snapshot.numericSum()).isZero();
        assertThat(snapshot.numericSumOfSquares()).isEqualTo(total);
        assertThat(snapshot.errorRate()).isEqualTo(0.1);
        assertThat(snapshot.accuracy()).isEqualTo(0.75);
        assertThat(Intervals.errorRate(snapshot, 0.95).contains(0.1)).isTrue();
        assertThat(Intervals.accuracy(snapshot, 0.95).width()).isLessThan(0.01);
        Interval meanError = Intervals.meanNumericError(snapshot, 0.95);
        assertThat(meanError.estimate()).isZero();
        assertThat(meanError.upper()).isCloseTo(1.96 / Math.sqrt(total), within(1e-4));
        Interval p50 = Intervals.latencyMillis(snapshot, 0.5, 0.95, 1);
        assertThat(p50.estimate()).isBetween(1.24, 1.26); // latencies 1,000..1,499 µs, evenly
        assertThat(p50.lower()).isLessThanOrEqualTo(p50.estimate());
        assertThat(p50.upper()).isGreaterThanOrEqualTo(p50.estimate());
        // the snapshot does not change when recording goes on
        sample.recordRequest(true, 5);
        assertThat(snapshot.requests()).isEqualTo(total);
        assertThat(snapshot.latencyMicros().getTotalCount()).isEqualTo(total);
    }
}
