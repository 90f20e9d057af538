package dev.otimo.batching;

/**
 * A request the batcher would not take or could not start in time. Maps to 429 with Retry-After.
 */
public class QueueRejectedException extends RuntimeException {
    private final long retryAfterSeconds;
    private final boolean closed;

    public QueueRejectedException(String message, long retryAfterSeconds) {
        this(message, retryAfterSeconds, false);
    }

    /** @param closed the queue was shut down (its deployment is being replaced or removed) */
    public QueueRejectedException(String message, long retryAfterSeconds, boolean closed) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
        this.closed = closed;
    }

    /** True when the deployment was shutting down: a replacement may take the request. */
    public boolean queueClosed() {
        return closed;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
