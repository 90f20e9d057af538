package dev.otimo.batching;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A deployment's bounded queue, one lane per priority level. Producers (event-loop threads) never
 * block: they append to a lock-free inbox and wake parked runners. Runners move the inbox into the
 * lanes under a lock only runners take, and block in {@link #takeBatch} until {@link BatchFormer}
 * says a batch is due.
 */
final class BatchQueue {

    private final BatchingPolicy policy;
    private final ConcurrentLinkedQueue<InferenceTask> inbox = new ConcurrentLinkedQueue<>();
    /** Tasks still QUEUED (not yet claimed by a runner or abandoned). */
    private final AtomicInteger queued = new AtomicInteger();
    private final ConcurrentLinkedQueue<Thread> parked = new ConcurrentLinkedQueue<>();
    private final ReentrantLock runnerLock = new ReentrantLock();
    private final ArrayDeque<InferenceTask>[] lanes;
    private final DelayGovernor governor = new DelayGovernor();
    private volatile boolean closed;

    @SuppressWarnings("unchecked")
    BatchQueue(BatchingPolicy policy) {
        this.policy = policy;
        this.lanes = new ArrayDeque[policy.priorityLevels()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new ArrayDeque<>();
        }
    }

    /** Adds a task without blocking; false when the queue is full or closed. */
    boolean offer(InferenceTask task) {
        if (closed) {
            return false;
        }
        if (queued.incrementAndGet() > policy.queueCapacity()) {
            queued.decrementAndGet();
            return false;
        }
        inbox.add(task);
        for (Thread runner : parked) {
            LockSupport.unpark(runner);
        }
        return true;
    }

    /** Abandons a task that has not started (client gone, deadline passed); false when already running. */
    boolean abandon(InferenceTask task) {
        if (task.abandon()) {
            queued.decrementAndGet();
            return true;
        }
        return false;
    }

    int size() {
        return queued.get();
    }

    boolean isClosed() {
        return closed;
    }

    /** Stops admitting; runners drain what is queued, then get empty batches. */
    void close() {
        closed = true;
        for (Thread runner : parked) {
            LockSupport.unpark(runner);
        }
    }

    /** Closes the queue and claims every task still in it, for a batcher that can no longer run them. */
    List<InferenceTask> closeAndDrain() {
        close();
        runnerLock.lock();
        try {
            drainInbox();
            List<InferenceTask> left = new ArrayList<>();
            for (ArrayDeque<InferenceTask> lane : lanes) {
                left.addAll(claim(new ArrayList<>(lane)));
            }
            return left;
        } finally {
            runnerLock.unlock();
        }
    }

    /**
     * Blocks until a batch is due and returns it, claimed; returns an empty list once the queue is
     * closed and drained, or when tasks past their deadline were put into {@code expired}.
     */
    List<InferenceTask> takeBatch(List<InferenceTask> expired) throws InterruptedException {
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long waitUntil;
            runnerLock.lockInterruptibly();
            try {
                drainInbox();
                long now = System.nanoTime();
                boolean empty = purge(now, expired);
                if (!expired.isEmpty()) {
                    return List.of();
                }
                if (empty) {
                    if (closed && inbox.isEmpty()) {
                        return List.of();
                    }
                    waitUntil = 0;
                } else {
                    BatchFormer.Decision decision = BatchFormer.decide(this::ordered, now, policy,
                            closed || !governor.shouldWait());
                    if (decision.dispatch()) {
                        governor.dispatched(decision.reason(), decision.batch().size());
                        List<InferenceTask> claimed = claim(decision.batch());
                        if (!claimed.isEmpty()) {
                            return claimed;
                        }
                        continue;
                    }
                    waitUntil = decision.waitUntilNanos();
                }
            } finally {
                runnerLock.unlock();
            }
            park(waitUntil);
        }
    }

    /** Parks until woken by a new task, or until {@code deadline} (0: no deadline). */
    private void park(long deadline) {
        Thread me = Thread.currentThread();
        parked.add(me);
        try {
            if (!inbox.isEmpty() || closed) {
                return;
            }
            if (deadline == 0) {
                LockSupport.park(this);
            } else {
                long wait = deadline - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                }
            }
        } finally {
            parked.remove(me);
        }
    }

    private void drainInbox() {
        InferenceTask task;
        while ((task = inbox.poll()) != null) {
            lanes[Math.min(Math.max(task.priority, 1), lanes.length) - 1].addLast(task);
        }
    }

    /** Drops abandoned tasks, moves expired ones to {@code expired}; true when nothing is left. */
    private boolean purge(long now, List<InferenceTask> expired) {
        boolean empty = true;
        for (ArrayDeque<InferenceTask> lane : lanes) {
            Iterator<InferenceTask> it = lane.iterator();
            while (it.hasNext()) {
                InferenceTask task = it.next();
                if (task.isAbandoned()) {
                    it.remove();
                } else if (task.expired(now) && abandon(task)) {
                    it.remove();
                    expired.add(task);
                } else {
                    empty = false;
                }
            }
        }
        return empty;
    }

    private List<InferenceTask> claim(List<InferenceTask> batch) {
        List<InferenceTask> claimed = new ArrayList<>(batch.size());
        for (InferenceTask task : batch) {
            for (ArrayDeque<InferenceTask> lane : lanes) {
                if (lane.remove(task)) {
                    break;
                }
            }
            if (task.take()) {
                queued.decrementAndGet();
                claimed.add(task);
            }
        }
        return claimed;
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
}
