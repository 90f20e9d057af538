package dev.otimo.batching;

/**
 * Decides whether waiting {@code maxQueueDelayMicros} for more requests pays off. When the last
 * {@link BatchingPolicy#LONE_WAITS_BEFORE_SKIPPING_DELAY} waits each ended with a single request,
 * traffic is sequential and waiting only adds latency: batches then leave at once, but one
 * dispatch in {@link BatchingPolicy#PROBE_WAIT_EVERY} still waits, and any batch of several
 * requests turns waiting back on. Used by one runner at a time, under the queue's runner lock.
 */
final class DelayGovernor {

    private int loneWaits;
    private int skipped;

    boolean shouldWait() {
        if (loneWaits < BatchingPolicy.LONE_WAITS_BEFORE_SKIPPING_DELAY) {
            return true;
        }
        return ++skipped % BatchingPolicy.PROBE_WAIT_EVERY == 0;
    }

    void dispatched(BatchFormer.Reason reason, int requests) {
        if (requests > 1) {
            loneWaits = 0;
            skipped = 0;
        } else if (reason == BatchFormer.Reason.DELAY_PASSED) {
            loneWaits++;
        }
    }
}
