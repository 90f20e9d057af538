package dev.otimo.registry;

/** A change the registry's current state forbids (409), e.g. deleting a deployed version. */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
