package dev.otimo.onnx;

/** An ONNX file Otimo refuses to register; the message says what is wrong with it. */
public class InvalidModelException extends RuntimeException {
    public InvalidModelException(String message) {
        super(message);
    }

    public InvalidModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
