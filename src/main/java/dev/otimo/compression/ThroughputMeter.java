package dev.otimo.compression;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures several sessions on the same input side by side: each is warmed up, then they take turns
 * in short rounds until each has run for the time budget, so that drift of the machine (frequency,
 * other load) affects all of them alike. Latency of every run goes into an HdrHistogram.
 */
public final class ThroughputMeter {

    /**
     * The result for one session.
     *
     * @param rowsPerSecond     rows of the batch divided by the median run time: the throughput of a typical
     *                          run, robust to bursts of other load on the machine
     * @param meanRowsPerSecond rows of all runs divided by their total time, bursts included
     */
    public record Figures(double rowsPerSecond, double meanRowsPerSecond, double p50Millis, double p99Millis,
            long runs) {
    }

    private static final int ROUNDS = 10;

    /**
     * Told after every run how far the measurement is, as a fraction of its planned time (0 to 1). It may
     * throw (e.g. when the job is cancelled) to stop the measurement between two runs.
     */
    @FunctionalInterface
    public interface Listener {
        void progress(double fraction);

        Listener NONE = f -> {
        };
    }

    private ThroughputMeter() {
    }

    /**
     * @param sessions the models to compare, all accepting {@code feed}
     * @param feed     one batch of inputs
     * @param rows     rows in the batch (for rows per second)
     * @param budget   measured time per session, excluding warm-up
     * @param warmup   runs per session before measuring
     */
    public static List<Figures> interleaved(List<ScoringSession> sessions, Map<String, TensorData> feed, int rows,
            Duration budget, int warmup) {
        return interleaved(sessions, feed, rows, budget, warmup, Listener.NONE);
    }

    /**
     * As {@link #interleaved(List, Map, int, Duration, int)}, with the run count adapted to the latency of the
     * first run: warm-up stops after a tenth of the budget (at least one run), and a model too slow for ten
     * rounds within the budget gets fewer, at least one run each, so each session is measured within the
     * budget plus one run.
     */
    public static List<Figures> interleaved(List<ScoringSession> sessions, Map<String, TensorData> feed, int rows,
            Duration budget, int warmup, Listener listener) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, TensorData> e : feed.entrySet()) {
                tensors.put(e.getKey(), e.getValue().toOnnxTensor(env));
            }
            int n = sessions.size();
            long[] perRun = new long[n];
            long planned = Math.max(1, budget.toNanos() * n * 11 / 10);
            long spent = 0;
            for (int s = 0; s < n; s++) {
                long start = System.nanoTime();
                int done = 0;
                do {
                    sessions.get(s).runDiscarding(tensors);
                    done++;
                } while (done < warmup && System.nanoTime() - start < budget.toNanos() / 10);
                long elapsed = System.nanoTime() - start;
                perRun[s] = Math.max(1, elapsed / done);
                spent += elapsed;
                listener.progress(Math.min(1, spent / (double) planned));
            }
            List<Histogram> histograms = new ArrayList<>();
            long[] busy = new long[n];
            long[] runs = new long[n];
            for (int s = 0; s < n; s++) {
                histograms.add(new Histogram(3_600_000_000_000L, 3));
            }
            long slowest = java.util.Arrays.stream(perRun).max().orElse(1);
            int rounds = (int) Math.max(1, Math.min(ROUNDS, budget.toNanos() / slowest));
            long roundNanos = budget.toNanos() / rounds;
            for (int round = 0; round < rounds; round++) {
                for (int s = 0; s < n; s++) {
                    long count = Math.max(1, roundNanos / perRun[s]);
                    for (long i = 0; i < count; i++) {
                        long t0 = System.nanoTime();
                        sessions.get(s).runDiscarding(tensors);
                        long dt = System.nanoTime() - t0;
                        histograms.get(s).recordValue(Math.max(1, dt));
                        busy[s] += dt;
                        runs[s]++;
                        spent += dt;
                        listener.progress(Math.min(1, spent / (double) planned));
                    }
                    perRun[s] = Math.max(1, busy[s] / runs[s]);
                }
            }
            List<Figures> out = new ArrayList<>();
            for (int s = 0; s < n; s++) {
                Histogram h = histograms.get(s);
                double p50 = h.getValueAtPercentile(50) / 1e6;
                out.add(new Figures(rows / (p50 / 1e3), rows * runs[s] / (busy[s] / 1e9), p50,
                        h.getValueAtPercentile(99) / 1e6, runs[s]));
            }
            return out;
        } catch (OrtException e) {
            throw new CompressionException("ONNX Runtime failed while measuring: " + e.getMessage(), e);
        } finally {
            tensors.values().forEach(OnnxTensor::close);
        }
    }
}
