package dev.otimo.onnx;

import dev.otimo.runtime.Signature;

/** What Otimo reads from an ONNX file before serving it. */
public record ModelInfo(Signature signature, int opset, String producer, long irVersion) {
}
