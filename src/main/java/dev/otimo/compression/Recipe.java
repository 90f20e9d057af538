package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An ordered list of compression steps applied one after another, e.g. prune then int8-dynamic.
 * A recipe is what a new model version records as its lineage.
 */
public record Recipe(List<Step> steps) {

    /** One method with its options. */
    public record Step(String method, TransformOptions options) {
        public Step {
            options = options == null ? TransformOptions.empty() : options;
        }
    }

    /** The outcome: the model bytes, per-method extras keyed by method name, and notes in step order. */
    public record Result(byte[] model, Map<String, Map<String, Object>> extras, List<String> notes) {
    }

    public Recipe {
        if (steps == null || steps.isEmpty()) {
            throw new CompressionException("a compression recipe needs at least one method");
        }
        steps = List.copyOf(steps);
    }

    public static Recipe of(String method, TransformOptions options) {
        return new Recipe(List.of(new Step(method, options)));
    }

    public static Recipe of(String method, Map<String, ?> options) {
        return of(method, TransformOptions.of(options));
    }

    public Recipe then(String method, TransformOptions options) {
        List<Step> more = new ArrayList<>(steps);
        more.add(new Step(method, options));
        return new Recipe(more);
    }

    /**
     * Checks every method name and its options without touching a model.
     *
     * @throws CompressionException naming the unknown method or the bad option
     */
    public void check(TransformRegistry registry, boolean hasCalibration) {
        for (Step step : steps) {
            registry.get(step.method()).check(step.options(), hasCalibration);
        }
    }

    /**
     * Checks what each method needs of the parent model, e.g. that an int8 method is not asked to
     * quantize an already-quantized graph.
     *
     * @param floatParent see {@link Transform#checkModel}
     * @throws CompressionException from the first method that refuses the model
     */
    public void checkModel(TransformRegistry registry, ModelProto parent, String floatParent) {
        for (Step step : steps) {
            registry.get(step.method()).checkModel(parent, floatParent);
        }
    }

    /** e.g. {@code prune{sparsity=0.5} -> int8-dynamic{}} */
    public String describe() {
        return steps.stream().map(s -> s.method() + s.options()).collect(Collectors.joining(" -> "));
    }

    /**
     * Parses the model, checks every method name before doing any work, then applies the steps.
     *
     * @throws CompressionException for corrupt model bytes, an unknown method or a step that refuses
     */
    public Result apply(byte[] model, CalibrationData calibration, TransformRegistry registry) {
        List<Transform> transforms = steps.stream().map(s -> registry.get(s.method())).toList();
        ModelProto current = OnnxModels.parse(model);
        CalibrationData data = calibration == null ? CalibrationData.none() : calibration;
        Map<String, Map<String, Object>> extras = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            TransformResult r = transforms.get(i).apply(current, steps.get(i).options(), data);
            current = r.model();
            extras.put(steps.get(i).method(), r.extras());
            String prefix = steps.size() > 1 ? steps.get(i).method() + ": " : "";
            r.notes().forEach(n -> notes.add(prefix + n));
        }
        return new Result(current.toByteArray(), extras, notes);
    }
}
