package dev.otimo.batching;

import java.util.ArrayList;
import java.util.List;

/**
 * The batch-forming policy, as Triton's dynamic batcher: take the oldest request of the highest
 * priority and the queued requests of the same shape after it; dispatch at once when they fill
 * {@code maxBatchSize} or reach a preferred size, else when the oldest has waited
 * {@code maxQueueDelayMicros}. Requests are never split across batches. {@link DelayGovernor}
 * decides whether waiting is worth it at all.
 */
final class BatchFormer {

    private BatchFormer() {
    }

    /** Why a batch left. */
    enum Reason { FULL, PREFERRED, DELAY_PASSED, NO_WAIT }

    /** Dispatch {@code batch} now (for {@code reason}), or wait until {@code waitUntilNanos} and decide again. */
    record Decision(List<InferenceTask> batch, long waitUntilNanos, Reason reason) {
        boolean dispatch() {
            return batch != null;
        }
    }

    /**
     * @param queued tasks in priority order, then arrival order; not empty
     * @param noWait dispatch what there is without waiting (shutdown drain, or waiting is not paying off)
     */
    static Decision decide(Iterable<InferenceTask> queued, long now, BatchingPolicy policy, boolean noWait) {
        List<InferenceTask> batch = new ArrayList<>();
        InferenceTask head = null;
        int rows = 0;
        for (InferenceTask task : queued) {
            if (head == null) {
                head = task;
            } else if (!task.shapeKey.equals(head.shapeKey) || rows + task.rows > policy.maxBatchSize()) {
                continue;
            }
            batch.add(task);
            rows += task.rows;
            if (rows >= policy.maxBatchSize()) {
                return new Decision(batch, 0, Reason.FULL);
            }
        }
        int preferred = policy.largestPreferredAtMost(rows);
        if (preferred > 0) {
            return new Decision(prefixWithin(batch, preferred), 0, Reason.PREFERRED);
        }
        if (noWait) {
            return new Decision(batch, 0, Reason.NO_WAIT);
        }
        long due = head.enqueuedNanos + policy.maxQueueDelayMicros() * 1000;
        if (now - due >= 0) {
            return new Decision(batch, 0, Reason.DELAY_PASSED);
        }
        return new Decision(null, due, null);
    }

    private static List<InferenceTask> prefixWithin(List<InferenceTask> batch, int rowLimit) {
        List<InferenceTask> prefix = new ArrayList<>();
        int rows = 0;
        for (InferenceTask task : batch) {
            if (!prefix.isEmpty() && rows + task.rows > rowLimit) {
                break;
            }
            prefix.add(task);
            rows += task.rows;
        }
        return prefix;
    }
}
