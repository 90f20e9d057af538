package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;

import java.util.List;
import java.util.Map;

/**
 * What a transform produced: the new model, figures specific to the method (for example the
 * achieved sparsity) and notes for the person reading the report.
 */
public record TransformResult(ModelProto model, Map<String, Object> extras, List<String> notes) {

    public TransformResult {
        extras = Map.copyOf(extras);
        notes = List.copyOf(notes);
    }
}
