package dev.otimo.compression;

import java.util.List;
import java.util.Map;

/**
 * The comparison of a compressed model with its parent, stored with the new version and shown in
 * the console. Serialises to JSON as
 * {@code {parent:{sizeBytes, loadMillis, batch1:{rowsPerSecond, p50Millis}, batch32:{...}}, child:{...},
 * fidelity:{maxAbsError, meanCosine, top1Agreement, samples, source}, notes:[...], extras:{...}, noGain,
 * gain:{throughputRatio, sizeRatio, faster, smaller}}}. A child with {@code noGain} is by default not registered:
 * it would cost a deployment and some fidelity for nothing.
 */
public record CompressionReport(ModelFigures parent, ModelFigures child, Fidelity fidelity, List<String> notes,
        Map<String, Object> extras, boolean noGain, Gain gain) {

    public CompressionReport {
        notes = List.copyOf(notes);
        extras = Map.copyOf(extras);
    }

    /** The same report with one more note. */
    public CompressionReport withNote(String note) {
        List<String> more = new java.util.ArrayList<>(notes);
        more.add(note);
        return new CompressionReport(parent, child, fidelity, more, extras, noGain, gain);
    }

    /**
     * The child against the parent.
     *
     * @param throughputRatio child rows per second over the parent's, the better of the batch sizes measured
     * @param sizeRatio       child artifact size over the parent's
     * @param faster          throughput ratio above 1.02
     * @param smaller         size ratio below 0.98
     */
    public record Gain(double throughputRatio, double sizeRatio, boolean faster, boolean smaller) {

        public boolean noGain() {
            return !faster && !smaller;
        }
    }

    /**
     * Size, load time and speed of one model.
     *
     * @param batch32 null when the model's batch dimension is fixed and cannot take 32 rows
     */
    public record ModelFigures(long sizeBytes, double loadMillis, Speed batch1, Speed batch32) {
    }

    /**
     * Throughput and median latency at one batch size; {@code rowsPerSecond} is the batch's rows divided by
     * the median run time, which other load on the machine disturbs less than a mean would.
     */
    public record Speed(double rowsPerSecond, double p50Millis) {
    }

    /**
     * How closely the child reproduces the parent's outputs.
     *
     * @param top1Agreement null when no output is classifier-shaped ([N, C] float)
     * @param samples       rows compared
     * @param source        where the inputs came from: {@code traffic}, {@code upload} or {@code random}
     */
    public record Fidelity(double maxAbsError, double meanCosine, Double top1Agreement, long samples, String source) {
    }
}
