package dev.otimo.batching;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A deployment's bounded queue, one lane per priority level. Runners block in {@link #takeBatch}
 * until {@link BatchFormer} says a batch is due.
 */
final class BatchQueue {

    private final BatchingPolicy policy;
    private final ArrayDeque<InferenceTask>[] lanes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int size;
    private boolean closed;

    @SuppressWarnings("unchecked")
    BatchQueue(BatchingPolicy policy) {
        this.policy = policy;
        this.lanes = new ArrayDeque[policy.priorityLevels()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new ArrayDeque<>();
        }
    }

    /** Adds a task; false when the queue is full or closed. */
    boolean offer(InferenceTask task) {
        lock.lock();
        try {
            if (closed || size >= policy.queueCapacity()) {
                return false;
            }
            lanes[Math.min(Math.max(task.priority, 1), lanes.length) - 1].addLast(task);
            size++;
            changed.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Removes an abandoned task so that it no longer counts against the capacity. */
    void remove(InferenceTask task) {
        lock.lock();
        try {
            for (ArrayDeque<InferenceTask> lane : lanes) {
                if (lane.remove(task)) {
                    size--;
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until a batch is due and returns it, claimed; returns an empty list once the queue is
     * closed and drained. Tasks past their deadline are handed to {@code expired} (outside the lock).
     */
    List<InferenceTask> takeBatch(List<InferenceTask> expired) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (true) {
                long now = System.nanoTime();
                purge(now, expired);
                if (!expired.isEmpty()) {
                    return List.of();
                }
                if (size == 0) {
                    if (closed) {
                        return List.of();
                    }
                    changed.await();
                    continue;
                }
                BatchFormer.Decision decision = BatchFormer.decide(this::ordered, now, policy, closed);
                if (decision.dispatch()) {
                    List<InferenceTask> claimed = new ArrayList<>(decision.batch().size());
                    for (InferenceTask task : decision.batch()) {
                        removeQueued(task);
                        if (task.take()) {
                            claimed.add(task);
                        }
                    }
                    if (!claimed.isEmpty()) {
                        return claimed;
                    }
                    continue;
                }
                changed.awaitNanos(Math.max(decision.waitUntilNanos() - now, 1000));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops admitting; runners drain what is queued, then get empty batches. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    private void purge(long now, List<InferenceTask> expired) {
        for (ArrayDeque<InferenceTask> lane : lanes) {
            Iterator<InferenceTask> it = lane.iterator();
            while (it.hasNext()) {
                InferenceTask task = it.next();
                if (task.isAbandoned()) {
                    it.remove();
                    size--;
                } else if (task.expired(now) && task.abandon()) {
                    it.remove();
                    size--;
                    expired.add(task);
                }
            }
        }
    }

    private void removeQueued(InferenceTask task) {
        for (ArrayDeque<InferenceTask> lane : lanes) {
            if (lane.remove(task)) {
                size--;
                return;
            }
        }
    }

    private Iterator<InferenceTask> ordered() {
        return new Iterator<>() {
            private int lane;
            private Iterator<InferenceTask> current = lanes[0].iterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && lane < lanes.length - 1) {
                    current = lanes[++lane].iterator();
                }
                return current.hasNext();
            }

            @Override
            public InferenceTask next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    static long toNanos(long micros) {
        return TimeUnit.MICROSECONDS.toNanos(micros);
    }
}
