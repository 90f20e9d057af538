package dev.otimo.compression;

/**
 * A compression request that cannot be carried out because of the model or the options given:
 * an unknown method, an option out of range, missing calibration data, an operator the method does
 * not handle or bytes that are not an ONNX model. The message is meant for the user who asked for
 * the compression and says what to change; the server answers it with HTTP 400.
 */
public class CompressionException extends RuntimeException {

    public CompressionException(String message) {
        super(message);
    }

    public CompressionException(String message, Throwable cause) {
        super(message, cause);
    }
}
