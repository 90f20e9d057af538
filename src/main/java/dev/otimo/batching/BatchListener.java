package dev.otimo.batching;

/** Receives the batcher's figures: batch sizes, time in queue, compute time. */
public interface BatchListener {

    BatchListener NONE = new BatchListener() {
    };

    /** A batch of {@code rows} rows from {@code requests} requests ran in {@code computeNanos}. */
    default void batchRan(int requests, int rows, long computeNanos) {
    }

    /** A request left the queue for a runner after waiting {@code queueNanos}. */
    default void dequeued(long queueNanos) {
    }

    /** A request was turned away (queue full, deadline passed before it started). */
    default void rejected(String reason) {
    }
}
