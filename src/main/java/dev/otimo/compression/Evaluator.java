package dev.otimo.compression;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import dev.otimo.runtime.CpuFeatures;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Compares a compressed model with its parent: artifact size, session load time, throughput and
 * median latency at batch 1 and 32 (measured side by side, see {@link ThroughputMeter}), and how
 * closely the child's outputs follow the parent's on sample inputs (traffic or uploaded samples, or
 * random inputs drawn from the parent's input signature when there are none).
 */
public final class Evaluator {

    /**
     * @param intraOpThreads threads per session, as a deployment would use
     * @param budget         measured time per model and batch size
     * @param warmupRuns     runs before measuring
     * @param maxRows        most sample rows compared for fidelity
     * @param seed           for random inputs
     */
    public record Settings(int intraOpThreads, Duration budget, int warmupRuns, int maxRows, long seed) {

        public static Settings defaults() {
            return new Settings(2, Duration.ofSeconds(2), 20, 256, 42);
        }
    }

    /** Size used for symbolic dimensions other than the batch when inputs must be invented. */
    static final int SYMBOLIC_DIMENSION = 32;

    private final Settings settings;

    public Evaluator(Settings settings) {
        this.settings = settings;
    }

    public Evaluator() {
        this(Settings.defaults());
    }

    /** Evaluates the outcome of a recipe; its notes and per-method extras go into the report. */
    public CompressionReport evaluate(byte[] parent, Recipe.Result result, CalibrationData samples) {
        return evaluate(parent, result, samples, ThroughputMeter.Listener.NONE);
    }

    /** As {@link #evaluate(byte[], Recipe.Result, CalibrationData)}, telling {@code listener} after every run. */
    public CompressionReport evaluate(byte[] parent, Recipe.Result result, CalibrationData samples,
            ThroughputMeter.Listener listener) {
        return evaluate(parent, result.model(), samples, result.notes(), new LinkedHashMap<>(result.extras()), listener);
    }

    /** A child that is neither faster (throughput ratio above this) nor smaller (size ratio below the next) has no gain. */
    static final double FASTER = 1.02;
    static final double SMALLER = 0.98;

    /**
     * @param samples inputs to compare on; empty for random inputs from the signature
     * @throws CompressionException when a model does not load or the samples do not fit it
     */
    public CompressionReport evaluate(byte[] parent, byte[] child, CalibrationData samples, List<String> notes,
            Map<String, Object> extras) {
        return evaluate(parent, child, samples, notes, extras, ThroughputMeter.Listener.NONE);
    }

    /**
     * The fidelity comparison stops once it has taken the time budget (after at least one batch), and the speed
     * measurement adapts its run count to the model's latency (see {@link ThroughputMeter}), so a model taking
     * seconds per run is evaluated in bounded time. {@code listener} hears the overall fraction done after every
     * run: a fifth for fidelity, the rest for speed.
     */
    public CompressionReport evaluate(byte[] parent, byte[] child, CalibrationData samples, List<String> notes,
            Map<String, Object> extras, ThroughputMeter.Listener listener) {
        List<String> allNotes = new ArrayList<>(notes);
        // The first session of a process pays for ONNX Runtime's own start-up; keep that out of the figures.
        ScoringSession.open(parent, 1).close();
        try (ScoringSession p = ScoringSession.open(parent, settings.intraOpThreads());
             ScoringSession c = ScoringSession.open(child, settings.intraOpThreads())) {
            long fixedBatch = fixedBatch(p);
            String source = samples == null || samples.isEmpty() ? "random" : samples.source();
            List<Map<String, TensorData>> rows = samples == null || samples.isEmpty()
                    ? randomRows(p, allNotes) : splitRows(samples);

            OutputComparison comparison = new OutputComparison();
            int batch = fixedBatch > 0 ? (int) fixedBatch : 32;
            long fidelityStart = System.nanoTime();
            int compared = 0;
            for (int at = 0; at < rows.size(); at += batch) {
                if (at > 0 && System.nanoTime() - fidelityStart > settings.budget().toNanos()) {
                    allNotes.add("fidelity compared on the first " + compared + " of " + rows.size()
                            + " rows: one batch takes too long to compare them all within the time budget");
                    break;
                }
                Map<String, TensorData> feed = batchOf(rows.subList(at, Math.min(rows.size(), at + batch)),
                        fixedBatch > 0 ? (int) fixedBatch : Math.min(batch, rows.size() - at));
                Map<String, TensorData> po = p.run(feed);
                Map<String, TensorData> co = c.run(feed);
                for (Map.Entry<String, TensorData> e : po.entrySet()) {
                    if (co.containsKey(e.getKey())) {
                        comparison.add(e.getValue(), co.get(e.getKey()));
                    }
                }
                compared = Math.min(rows.size(), at + batch);
                listener.progress(0.2 * compared / rows.size());
            }

            boolean both = !(fixedBatch > 0 && fixedBatch != 32);
            CompressionReport.Speed[] b1 = speed(p, c, rows, 1, fixedBatch,
                    f -> listener.progress(0.2 + (both ? 0.4 : 0.8) * f));
            CompressionReport.Speed[] b32 = !both ? null
                    : speed(p, c, rows, 32, fixedBatch, f -> listener.progress(0.6 + 0.4 * f));
            if (b32 == null) {
                allNotes.add("the model's batch dimension is fixed at " + fixedBatch + "; batch 32 not measured");
            }
            allNotes.add(String.format("speed measured side by side on this host (%s) with %d intra-op threads, %d"
                    + " warm-up runs and %.1f s per model and batch size", CpuFeatures.host().describe(),
                    settings.intraOpThreads(), settings.warmupRuns(), settings.budget().toMillis() / 1000.0));
            CompressionReport.ModelFigures pf = new CompressionReport.ModelFigures(parent.length,
                    p.loadNanos() / 1e6, b1[0], b32 == null ? null : b32[0]);
            CompressionReport.ModelFigures cf = new CompressionReport.ModelFigures(child.length,
                    c.loadNanos() / 1e6, b1[1], b32 == null ? null : b32[1]);
            CompressionReport.Fidelity fidelity = new CompressionReport.Fidelity(comparison.maxAbsError(),
                    comparison.meanCosine(), comparison.top1Agreement(), compared, source);
            CompressionReport.Gain gain = gain(pf, cf);
            if (gain.noGain()) {
                allNotes.add(String.format("no gain: the child is neither faster (throughput ratio %.3f, needs above %.2f)"
                        + " nor smaller (size ratio %.3f, needs below %.2f) on this host", gain.throughputRatio(), FASTER,
                        gain.sizeRatio(), SMALLER));
            }
            return new CompressionReport(pf, cf, fidelity, allNotes, extras, gain.noGain(), gain);
        }
    }

    /** Faster on either batch size measured, or smaller; otherwise no gain. */
    static CompressionReport.Gain gain(CompressionReport.ModelFigures parent, CompressionReport.ModelFigures child) {
        double throughput = child.batch1().rowsPerSecond() / parent.batch1().rowsPerSecond();
        if (parent.batch32() != null && child.batch32() != null) {
            throughput = Math.max(throughput, child.batch32().rowsPerSecond() / parent.batch32().rowsPerSecond());
        }
        double size = child.sizeBytes() / (double) parent.sizeBytes();
        return new CompressionReport.Gain(throughput, size, throughput > FASTER, size < SMALLER);
    }

    private CompressionReport.Speed[] speed(ScoringSession p, ScoringSession c, List<Map<String, TensorData>> rows,
            int batch, long fixedBatch, ThroughputMeter.Listener listener) {
        int size = fixedBatch > 0 ? (int) fixedBatch : batch;
        List<Map<String, TensorData>> chosen = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            chosen.add(rows.get(i % rows.size()));
        }
        Map<String, TensorData> feed = batchOf(chosen, size);
        List<ThroughputMeter.Figures> f = ThroughputMeter.interleaved(List.of(p, c), feed, size, settings.budget(),
                settings.warmupRuns(), listener);
        return new CompressionReport.Speed[] {
            new CompressionReport.Speed(f.get(0).rowsPerSecond(), f.get(0).p50Millis()),
            new CompressionReport.Speed(f.get(1).rowsPerSecond(), f.get(1).p50Millis())};
    }

    private static Map<String, TensorData> batchOf(List<Map<String, TensorData>> rows, int size) {
        List<Map<String, TensorData>> chosen = new ArrayList<>(rows);
        while (chosen.size() < size) {
            chosen.add(rows.get(chosen.size() % rows.size()));
        }
        Map<String, TensorData> feed = new LinkedHashMap<>();
        for (String name : chosen.get(0).keySet()) {
            feed.put(name, TensorData.concat(chosen.stream().map(r -> r.get(name)).toList()));
        }
        return feed;
    }

    /** The batch size fixed by the signature of the first input, or -1 when it is symbolic. */
    private static long fixedBatch(ScoringSession s) {
        for (NodeInfo info : s.inputs().values()) {
            long[] shape = ScoringSession.declaredShape(info);
            return shape.length == 0 ? -1 : shape[0];
        }
        return -1;
    }

    /** Samples split into single rows along dimension 0, at most {@code maxRows}. */
    private List<Map<String, TensorData>> splitRows(CalibrationData samples) {
        List<Map<String, TensorData>> rows = new ArrayList<>();
        for (Map<String, TensorData> sample : samples.samples()) {
            long n = sample.values().iterator().next().rows();
            boolean splittable = sample.values().stream().allMatch(t -> t.shape().length > 0 && t.rows() == n);
            if (!splittable) {
                rows.add(sample);
                continue;
            }
            for (int r = 0; r < n && rows.size() < settings.maxRows(); r++) {
                Map<String, TensorData> row = new LinkedHashMap<>();
                for (Map.Entry<String, TensorData> e : sample.entrySet()) {
                    row.put(e.getKey(), e.getValue().rows(r, r + 1));
                }
                rows.add(row);
            }
            if (rows.size() >= settings.maxRows()) {
                break;
            }
        }
        return rows;
    }

    private List<Map<String, TensorData>> randomRows(ScoringSession s, List<String> notes) {
        SplittableRandom random = new SplittableRandom(settings.seed());
        boolean symbolic = false;
        List<Map<String, TensorData>> rows = new ArrayList<>();
        int count = Math.min(64, settings.maxRows());
        for (int r = 0; r < count; r++) {
            Map<String, TensorData> row = new LinkedHashMap<>();
            for (Map.Entry<String, NodeInfo> e : s.inputs().entrySet()) {
                TensorInfo info = (TensorInfo) e.getValue().getInfo();
                long[] shape = info.getShape();
                for (int d = 0; d < shape.length; d++) {
                    if (shape[d] < 0) {
                        shape[d] = d == 0 ? 1 : SYMBOLIC_DIMENSION;
                        symbolic |= d > 0;
                    }
                }
                row.put(e.getKey(), randomTensor(info.type, shape, random));
            }
            rows.add(row);
        }
        notes.add("no sample inputs: fidelity measured on " + count + " random inputs drawn from the input signature"
                + (symbolic ? " (symbolic dimensions set to " + SYMBOLIC_DIMENSION + ")" : ""));
        return rows;
    }

    private static TensorData randomTensor(OnnxJavaType type, long[] shape, SplittableRandom random) {
        int n = (int) TensorData.elementCount(shape);
        return switch (type) {
            case FLOAT -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (random.nextDouble() * 2 - 1);
                }
                yield TensorData.ofFloats(v, shape);
            }
            case INT64 -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = random.nextInt(10);
                }
                yield TensorData.ofLongs(v, shape);
            }
            case INT32 -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = random.nextInt(10);
                }
                yield TensorData.ofInts(v, shape);
            }
            default -> throw new CompressionException("cannot invent inputs of type " + type
                    + "; provide calibration samples for the evaluation");
        };
    }
}
