package dev.otimo.registry;

/** The registry database cannot be reached now; the admin API answers 503 with {@code Retry-After}. */
public class RegistryUnavailableException extends RuntimeException {

    /** Seconds a client should wait before trying again. */
    public static final long RETRY_AFTER_SECONDS = 2;

    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
