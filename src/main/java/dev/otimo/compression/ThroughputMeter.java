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
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, TensorData> e : feed.entrySet()) {
                tensors.put(e.getKey(), e.getValue().toOnnxTensor(env));
            }
            int n = sessions.size();
            long[] perRun = new long[n];
            for (int s = 0; s < n; s++) {
                long start = System.nanoTime();
                for (int i = 0; i < warmup; i++) {
                    sessions.get(s).runDiscarding(tensors);
                }
                perRun[s] = Math.max(1, (System.nanoTime() - start) / Math.max(1, warmup));
            }
            List<Histogram> histograms = new ArrayList<>();
            long[] busy = new long[n];
            long[] runs = new long[n];
            for (int s = 0; s < n; s++) {
                histograms.add(new Histogram(3_600_000_000_000L, 3));
            }
            long roundNanos = budget.toNanos() / ROUNDS;
            for (int round = 0; round < ROUNDS; round++) {
                for (int s = 0; s < n; s++) {
                    long count = Math.max(1, roundNanos / perRun[s]);
                    for (long i = 0; i < count; i++) {
                        long t0 = System.nanoTime();
                        sessions.get(s).runDiscarding(tensors);
                        long dt = System.nanoTime() - t0;
                        histograms.get(s).recordValue(Math.max(1, dt));
                        busy[s] += dt;
                        runs[s]++;
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
