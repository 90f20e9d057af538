package dev.otimo.registry;

/** A model, version or deployment that does not exist (404). */
public class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
