package dev.otimo.batching;

import dev.otimo.runtime.Tensor;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One request waiting in a deployment's queue: its validated inputs, the outputs it wants, its
 * rows along the batch axis, the shape key that decides which requests it may share a batch with,
 * its priority and deadline, and where its answer goes.
 */
public final class InferenceTask {

    static final int QUEUED = 0;
    static final int TAKEN = 1;
    static final int ABANDONED = 2;

    final List<Tensor> inputs;
    final Set<String> outputs;
    final int rows;
    final String shapeKey;
    final int priority;
    final long enqueuedNanos;
    final long deadlineNanos;
    private final Consumer<List<Tensor>> onSuccess;
    private final Consumer<Throwable> onError;
    private final AtomicInteger state = new AtomicInteger(QUEUED);
    private final AtomicBoolean answered = new AtomicBoolean();
    volatile long startedNanos;

    /**
     * @param rows          rows along axis 0 (1 for a model that is not batchable)
     * @param shapeKey      requests with different keys are never batched together
     * @param priority      1 = highest
     * @param deadlineNanos System.nanoTime() by which the task must start, 0 for none
     */
    public InferenceTask(List<Tensor> inputs, Set<String> outputs, int rows, String shapeKey, int priority,
                         long deadlineNanos, Consumer<List<Tensor>> onSuccess, Consumer<Throwable> onError) {
        this.inputs = List.copyOf(inputs);
        this.outputs = Set.copyOf(outputs);
        this.rows = rows;
        this.shapeKey = shapeKey;
        this.priority = priority;
        this.enqueuedNanos = System.nanoTime();
        this.deadlineNanos = deadlineNanos;
        this.onSuccess = onSuccess;
        this.onError = onError;
    }

    public int rows() {
        return rows;
    }

    /** Claims the task for a runner; false when it was abandoned first. */
    boolean take() {
        return state.compareAndSet(QUEUED, TAKEN);
    }

    /** Abandons a task that has not started (client gone or deadline passed); false when already running. */
    boolean abandon() {
        return state.compareAndSet(QUEUED, ABANDONED);
    }

    boolean isAbandoned() {
        return state.get() == ABANDONED;
    }

    boolean expired(long now) {
        return deadlineNanos != 0 && now - deadlineNanos > 0;
    }

    /** True once the task got its outputs or its failure; it gets only one of them, once. */
    boolean answered() {
        return answered.get();
    }

    void succeed(List<Tensor> result) {
        if (answered.compareAndSet(false, true)) {
            onSuccess.accept(result);
        }
    }

    void fail(Throwable error) {
        if (answered.compareAndSet(false, true)) {
            onError.accept(error);
        }
    }
}
