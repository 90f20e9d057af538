package dev.otimo.batching;

/**
 * A request the batcher would not take or could not start in time. Maps to 429 with Retry-After.
 */
public class QueueRejectedException extends RuntimeException {
    private final long retryAfterSeconds;

    public QueueRejectedException(String message, long retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
