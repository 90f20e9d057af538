package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code optimize}: runs ONNX Runtime's graph optimizer offline and keeps the optimized graph as the
 * new artifact (constant folding, redundant node removal, Conv+BatchNormalization and similar
 * fusions), so that servers skip that work at load time.
 * <ul>
 *   <li>{@code basic} (default): standard ONNX operators only; portable to any runtime and device;</li>
 *   <li>{@code extended}: adds ONNX Runtime fusions into {@code com.microsoft} operators; runs on ONNX
 *       Runtime only;</li>
 *   <li>{@code all}: also layout transformations chosen for the CPU that produced the file; it may not load
 *       or may be slower elsewhere.</li>
 * </ul>
 */
public final class GraphOptimization implements Transform {

    public static final String NAME = "optimize";
    static final Set<String> OPTIONS = Set.of("level");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void check(TransformOptions options, boolean hasCalibration) {
        options.requireOnly(NAME, OPTIONS);
        options.getChoice("level", "basic", Set.of("basic", "extended", "all"));
    }

    @Override
    public TransformResult apply(ModelProto model, TransformOptions options, CalibrationData calibration) {
        check(options, calibration != null && !calibration.isEmpty());
        String level = options.getChoice("level", "basic", Set.of("basic", "extended", "all"));
        OnnxModels.requireKnownOperators(model, NAME);
        OptLevel optLevel = switch (level) {
            case "extended" -> OptLevel.EXTENDED_OPT;
            case "all" -> OptLevel.ALL_OPT;
            default -> OptLevel.BASIC_OPT;
        };
        ModelProto optimized = optimize(model, optLevel);
        List<String> notes = new ArrayList<>();
        notes.add("ONNX Runtime " + level + " graph optimizations applied offline: " + model.getGraph().getNodeCount()
                + " nodes before, " + optimized.getGraph().getNodeCount() + " after");
        switch (level) {
            case "extended" -> notes.add("the artifact uses ONNX Runtime com.microsoft fused operators and runs on ONNX"
                    + " Runtime only");
            case "all" -> notes.add("level 'all' applies layout optimizations specific to the CPU that produced the"
                    + " artifact; it may not load, or may run slower, on other hardware or execution providers");
            default -> notes.add("the artifact uses standard ONNX operators only and stays portable");
        }
        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put("level", level);
        extras.put("nodesBefore", model.getGraph().getNodeCount());
        extras.put("nodesAfter", optimized.getGraph().getNodeCount());
        return new TransformResult(optimized, extras, notes);
    }

    /** Loads the model with the given optimization level and returns the graph ONNX Runtime saved. */
    static ModelProto optimize(ModelProto model, OptLevel level) {
        Path out = null;
        try {
            out = Files.createTempFile("otimo-optimized-", ".onnx");
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setOptimizationLevel(level);
                options.setIntraOpNumThreads(1);
                options.setOptimizedModelFilePath(out.toString());
                OrtEnvironment.getEnvironment().createSession(model.toByteArray(), options).close();
            }
            return OnnxModels.parse(Files.readAllBytes(out));
        } catch (OrtException e) {
            throw new CompressionException("ONNX Runtime cannot load the model to optimize it: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless
                }
            }
        }
    }
}
