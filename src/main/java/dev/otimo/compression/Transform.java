package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;

/**
 * One compression method: a pure function from a model to a new model. Implementations do not
 * keep state between calls and may be shared between threads.
 */
public interface Transform {

    /** The method name used in compression requests, e.g. {@code int8-dynamic}. */
    String name();

    /**
     * Checks the options (and whether calibration data is needed) without touching a model, so
     * that a compression request can be refused before any work is queued.
     *
     * @throws CompressionException naming the offending option
     */
    void check(TransformOptions options, boolean hasCalibration);

    /**
     * Checks what the method needs of the model itself, so that a request it cannot serve is refused
     * when it is submitted rather than after minutes of work. Most methods accept any model.
     *
     * @param floatParent where the float model an already-quantized one came from is, e.g. "version 1";
     *                    null when its lineage does not say
     * @throws CompressionException saying why and what to do instead
     */
    default void checkModel(ModelProto model, String floatParent) {
    }

    /**
     * Produces the compressed model.
     *
     * @param model       the parent model (not modified)
     * @param options     the method's options; unknown names are rejected
     * @param calibration representative inputs; only some methods need them (may be empty, never null)
     * @throws CompressionException when the options, the calibration data or the model do not allow it
     */
    TransformResult apply(ModelProto model, TransformOptions options, CalibrationData calibration);
}
