package dev.otimo.batching;

/**
 * A request the batcher would not take or could not start in time. Maps to 429 with Retry-After.
 */
public class QueueRejectedException extends RuntimeException {
    private final long retryAfterSeconds;
    private final boolean closed;
    private final boolean timedOut;

    public QueueRejectedException(String message, long retryAfterSeconds) {
        this(message, retryAfterSeconds, false);
    }

    /** @param closed the queue was shut down (its deployment is being replaced or removed) */
    public QueueRejectedException(String message, long retryAfterSeconds, boolean closed) {
        this(message, retryAfterSeconds, closed, false);
    }

    private QueueRejectedException(String message, long retryAfterSeconds, boolean closed, boolean timedOut) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
        this.closed = closed;
        this.timedOut = timedOut;
    }

    /** A request that waited in the queue past its timeout and was never run. */
    public static QueueRejectedException timedOut(String message, long retryAfterSeconds) {
        return new QueueRejectedException(message, retryAfterSeconds, false, true);
    }

    /** True when the request waited past its timeout (rather than finding the queue full or closed). */
    public boolean timedOut() {
        return timedOut;
    }

    /** True when the deployment was shutting down: a replacement may take the request. */
    public boolean queueClosed() {
        return closed;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
