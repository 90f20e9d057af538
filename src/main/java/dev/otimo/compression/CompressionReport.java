package dev.otimo.compression;

import java.util.List;
import java.util.Map;

/**
 * The comparison of a compressed model with its parent, stored with the new version and shown in
 * the console. Serialises to JSON as
 * {@code {parent:{sizeBytes, loadMillis, batch1:{rowsPerSecond, p50Millis}, batch32:{...}}, child:{...},
 * fidelity:{maxAbsError, meanCosine, top1Agreement, samples, source}, notes:[...], extras:{...}}}.
 */
public record CompressionReport(ModelFigures parent, ModelFigures child, Fidelity fidelity, List<String> notes,
        Map<String, Object> extras) {

    public CompressionReport {
        notes = List.copyOf(notes);
        extras = Map.copyOf(extras);
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
