package dev.otimo.batching;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.util.List;

/**
 * How a deployment forms batches, after Triton's dynamic batcher. The one place batching settings
 * live: the admin API stores it, the console edits it and the {@link Batcher} reads it.
 *
 * @param maxBatchSize         most rows in one run; 1 means one run per request
 * @param maxQueueDelayMicros  how long the oldest request may wait for others to join its batch
 * @param preferredBatchSizes  sizes dispatched as soon as they are reached (each ≤ maxBatchSize)
 * @param queueCapacity        most requests waiting; beyond it requests get 429
 * @param defaultTimeoutMicros queue timeout of a request that names none (0: none)
 * @param priorityLevels       number of priority levels (1 = highest)
 */
public record BatchingPolicy(
        @DefaultValue("64") @Min(1) @Max(4096) int maxBatchSize,
        @DefaultValue("200") @Min(0) @Max(10_000_000) long maxQueueDelayMicros,
        @DefaultValue List<Integer> preferredBatchSizes,
        @DefaultValue("1024") @Min(1) @Max(1_000_000) int queueCapacity,
        @DefaultValue("0") @Min(0) long defaultTimeoutMicros,
        @DefaultValue("1") @Min(1) @Max(16) int priorityLevels) {

    public static final BatchingPolicy DEFAULT = new BatchingPolicy(64, 200, List.of(), 1024, 0, 1);

    /**
     * After this many waits in a row that ended with a lone request, the queue delay is skipped
     * (traffic is sequential: waiting only adds latency) until a batch of several forms again.
     */
    public static final int LONE_WAITS_BEFORE_SKIPPING_DELAY = 8;

    /** While skipping the delay, one dispatch in this many still waits, to notice concurrency. */
    public static final int PROBE_WAIT_EVERY = 64;

    /** One run per request: batching off. */
    public static final BatchingPolicy OFF = new BatchingPolicy(1, 0, List.of(), 1024, 0, 1);

    public BatchingPolicy {
        preferredBatchSizes = preferredBatchSizes == null ? List.of()
                : preferredBatchSizes.stream().sorted().distinct().toList();
    }

    /**
     * Checks the cross-field rules bean validation cannot express.
     *
     * @throws IllegalArgumentException naming the offending field
     */
    public BatchingPolicy validated() {
        if (maxBatchSize < 1 || maxBatchSize > 4096) {
            throw new IllegalArgumentException("batching.maxBatchSize must be between 1 and 4096, was " + maxBatchSize);
        }
        if (maxQueueDelayMicros < 0 || maxQueueDelayMicros > 10_000_000) {
            throw new IllegalArgumentException("batching.maxQueueDelayMicros must be between 0 and 10000000, was " + maxQueueDelayMicros);
        }
        if (queueCapacity < 1 || queueCapacity > 1_000_000) {
            throw new IllegalArgumentException("batching.queueCapacity must be between 1 and 1000000, was " + queueCapacity);
        }
        if (defaultTimeoutMicros < 0) {
            throw new IllegalArgumentException("batching.defaultTimeoutMicros must not be negative");
        }
        if (priorityLevels < 1 || priorityLevels > 16) {
            throw new IllegalArgumentException("batching.priorityLevels must be between 1 and 16, was " + priorityLevels);
        }
        for (int size : preferredBatchSizes) {
            if (size < 1 || size > maxBatchSize) {
                throw new IllegalArgumentException("batching.preferredBatchSizes entry " + size
                        + " must be between 1 and maxBatchSize (" + maxBatchSize + ")");
            }
        }
        return this;
    }

    /** The largest preferred size not above {@code rows}, or 0 when there is none. */
    int largestPreferredAtMost(int rows) {
        int best = 0;
        for (int size : preferredBatchSizes) {
            if (size <= rows) {
                best = size;
            }
        }
        return best;
    }
}
