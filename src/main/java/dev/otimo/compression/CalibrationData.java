package dev.otimo.compression;

import java.util.List;
import java.util.Map;

/**
 * Representative model inputs: each sample maps every graph input name to a tensor. Static
 * quantization derives activation ranges from them; evaluation compares parent and child on them.
 * The server fills it from the traffic reservoir or from an uploaded calibration set.
 *
 * @param samples the samples, each a complete set of model inputs
 * @param source  where they came from, e.g. {@code traffic}, {@code upload} or {@code random}
 */
public record CalibrationData(List<Map<String, TensorData>> samples, String source) {

    public CalibrationData {
        samples = List.copyOf(samples);
        source = source == null ? "upload" : source;
    }

    public static CalibrationData of(List<Map<String, TensorData>> samples) {
        return new CalibrationData(samples, "upload");
    }

    public static CalibrationData none() {
        return new CalibrationData(List.of(), "none");
    }

    public boolean isEmpty() {
        return samples.isEmpty();
    }

    public int size() {
        return samples.size();
    }
}
