package dev.otimo.batching;

import dev.otimo.runtime.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A deployment's dynamic batcher: a bounded priority queue fed by requests and drained by
 * {@code instances} runner threads, each forming a batch, running it on the session and handing
 * each request its slice. Model runs happen only on these dedicated threads.
 *
 * <p>Whatever goes wrong with a batch fails that batch's requests only, and the runner goes on.
 * Should a runner thread stop all the same (an Error thrown while failing a batch), the batcher
 * fails what is queued, refuses new requests with {@link RunnerStoppedException} and says why in
 * {@link #stopReason()}.
 */
public final class Batcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Batcher.class);
    private static final Scheduler TIMERS = Schedulers.parallel();

    private final String name;
    private final BatchingPolicy policy;
    private final BatchRunner runner;
    private final BatchListener listener;
    private final BatchQueue queue;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean batchingBroken;
    /** Why a runner stopped ({@code runner thread stopped: <cause>}), and the cause; null while all run. */
    private volatile String stopReason;
    private volatile Throwable stopCause;

    /**
     * @param name      deployment name, for thread names and messages
     * @param instances number of runner threads sharing the session
     */
    public Batcher(String name, BatchingPolicy policy, int instances, BatchRunner runner, BatchListener listener) {
        this.name = name;
        this.policy = policy.validated();
        this.runner = runner;
        this.listener = listener;
        this.queue = new BatchQueue(this.policy);
        for (int i = 0; i < instances; i++) {
            Thread t = new Thread(this::runLoop, "otimo-runner-" + name + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    public BatchingPolicy policy() {
        return policy;
    }

    /** Why a runner thread stopped ({@code runner thread stopped: <cause>}); empty while all run. */
    public Optional<String> stopReason() {
        return Optional.ofNullable(stopReason);
    }

    public int queueDepth() {
        return queue.size();
    }

    /**
     * Queues a request. The Mono completes with the request's outputs; it fails with
     * {@link QueueRejectedException} when the queue is full or the request did not start within
     * its timeout. Cancelling it before it starts removes it from the queue.
     *
     * @param rows          rows along axis 0
     * @param shapeKey      requests with different keys never share a batch
     * @param priority      1 = highest; clamped to the policy's levels
     * @param timeoutMicros how long it may wait to start; 0 takes the policy's default
     */
    public Mono<List<Tensor>> submit(List<Tensor> inputs, Set<String> outputs, int rows, String shapeKey,
                                     int priority, long timeoutMicros) {
        long timeout = timeoutMicros > 0 ? timeoutMicros : policy.defaultTimeoutMicros();
        return Mono.create(sink -> {
            if (stopReason != null) {
                sink.error(stoppedError());
                return;
            }
            long deadline = timeout > 0 ? System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(timeout) : 0;
            InferenceTask task = new InferenceTask(inputs, outputs, rows, shapeKey,
                    Math.min(Math.max(priority, 1), policy.priorityLevels()), deadline, sink::success, sink::error);
            boolean queued = queue.offer(task);
            if (stopReason != null) {
                // a runner stopped meanwhile: the task was drained and failed, or is stranded and fails here
                if (!queued || queue.abandon(task)) {
                    sink.error(stoppedError());
                }
                return;
            }
            if (!queued) {
                listener.rejected("queue_full");
                boolean closed = queue.isClosed();
                sink.error(new QueueRejectedException(closed
                        ? name + " is shutting down and takes no new requests"
                        : name + " queue is full (" + policy.queueCapacity() + " requests waiting); retry later", 1, closed));
                return;
            }
            Disposable timer = deadline == 0 ? null : TIMERS.schedule(() -> expire(task, timeout),
                    timeout, TimeUnit.MICROSECONDS);
            sink.onCancel(() -> {
                if (timer != null) {
                    timer.dispose();
                }
                queue.abandon(task);
            });
            if (timer != null) {
                sink.onDispose(timer);
            }
        });
    }

    private void expire(InferenceTask task, long timeoutMicros) {
        if (queue.abandon(task)) {
            rejectExpired(task, timeoutMicros);
        }
    }

    private void rejectExpired(InferenceTask task, long timeoutMicros) {
        listener.rejected("timeout");
        task.fail(QueueRejectedException.timedOut(name + ": request did not start within its timeout of "
                + timeoutMicros + " µs and was not run", 1));
    }

    private void runLoop() {
        List<InferenceTask> expired = new ArrayList<>();
        List<InferenceTask> batch = List.of();
        try {
            while (true) {
                try {
                    batch = queue.takeBatch(expired);
                } catch (InterruptedException e) {
                    return;
                }
                if (!expired.isEmpty()) {
                    List<InferenceTask> late = List.copyOf(expired);
                    expired.clear();
                    batch = late;
                    runGuarded(late, () -> {
                        for (InferenceTask task : late) {
                            rejectExpired(task, (task.deadlineNanos - task.enqueuedNanos) / 1000);
                        }
                    });
                    continue;
                }
                if (batch.isEmpty()) {
                    return;
                }
                execute(batch);
            }
        } catch (Throwable e) {
            stop(e, batch);
        }
    }

    /** A step of the loop that may fail: its failure fails the requests it was about. */
    private interface Step {
        void run() throws Exception;
    }

    /**
     * Runs {@code step}; whatever it throws, Errors included, fails those of {@code tasks} not yet
     * answered. An Error thrown while failing them is beyond repair here: it leaves this method and
     * stops the runner.
     *
     * @return true when the step completed
     */
    private boolean runGuarded(List<InferenceTask> tasks, Step step) {
        try {
            step.run();
            return true;
        } catch (Throwable e) {
            if (e instanceof Error) {
                log.error("{}: a batch of {} requests failed", name, tasks.size(), e);
            }
            for (InferenceTask task : tasks) {
                if (!task.answered()) {
                    try {
                        task.fail(e);
                    } catch (RuntimeException callback) {
                        log.warn("{}: a request's failure could not be delivered", name, callback);
                    }
                }
            }
            if (e instanceof InterruptedException) {
                // the model run was interrupted by shutdown: the next take sees it and ends the loop
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    /**
     * The runner thread is leaving the loop because of {@code cause}: the deployment cannot serve
     * any more. Fails the requests of the batch in hand and all queued ones, and refuses new ones.
     */
    private void stop(Throwable cause, List<InferenceTask> batch) {
        synchronized (this) {
            if (stopReason == null) {
                stopCause = cause;
                stopReason = "runner thread stopped: " + cause;
            }
        }
        log.error("{}: runner thread stopped; the deployment no longer serves", name, cause);
        List<InferenceTask> left = new ArrayList<>(batch);
        left.addAll(queue.closeAndDrain());
        for (InferenceTask task : left) {
            try {
                task.fail(stoppedError());
            } catch (Throwable ignored) {
                // the runner is stopping anyway; every other request still gets its answer
            }
        }
    }

    private RunnerStoppedException stoppedError() {
        return new RunnerStoppedException(name, stopReason, stopCause);
    }

    private void execute(List<InferenceTask> batch) {
        long start = System.nanoTime();
        boolean dequeued = runGuarded(batch, () -> {
            for (InferenceTask task : batch) {
                listener.dequeued(start - task.enqueuedNanos);
            }
        });
        if (!dequeued) {
            return;
        }
        if (batch.size() > 1 && !batchingBroken) {
            runGuarded(batch, () -> runTogether(batch));
        }
        // a batch of one, batching off, or outputs that just turned out not to be batched
        for (InferenceTask task : batch) {
            if (!task.answered()) {
                runGuarded(List.of(task), () -> runAlone(task));
            }
        }
    }

    /** Runs the batch stacked; leaves its requests unanswered when the model's outputs are not batched. */
    private void runTogether(List<InferenceTask> batch) throws Exception {
        long start = System.nanoTime();
        int rows = 0;
        for (InferenceTask task : batch) {
            rows += task.rows;
        }
        List<List<Tensor>> results;
        try {
            List<Tensor> outputs = runner.run(TensorBatch.stack(batch, rows), unionOfOutputs(batch));
            results = TensorBatch.split(outputs, batch, rows);
        } catch (OutputsNotBatchedException e) {
            // the model's outputs are not batched along axis 0: serve request by request from now on
            log.warn("{}: {}; batching disabled for this deployment", name, e.getMessage());
            batchingBroken = true;
            return;
        }
        listener.batchRan(batch.size(), rows, System.nanoTime() - start);
        for (int i = 0; i < batch.size(); i++) {
            deliver(batch.get(i), results.get(i));
        }
    }

    private void runAlone(InferenceTask task) throws Exception {
        long start = System.nanoTime();
        List<Tensor> outputs = runner.run(task.inputs, task.outputs);
        listener.batchRan(1, task.rows, System.nanoTime() - start);
        deliver(task, outputs);
    }

    /** Hands a request its outputs; a client's callback that throws does not keep the others from theirs. */
    private void deliver(InferenceTask task, List<Tensor> outputs) {
        try {
            task.succeed(outputs);
        } catch (RuntimeException e) {
            log.warn("{}: a request's outputs could not be delivered", name, e);
        }
    }

    private static Set<String> unionOfOutputs(List<InferenceTask> batch) {
        java.util.HashSet<String> union = new java.util.HashSet<>();
        for (InferenceTask task : batch) {
            if (task.outputs.isEmpty()) {
                return Set.of();
            }
            union.addAll(task.outputs);
        }
        return union;
    }

    /**
     * Stops admitting requests, lets the runners finish what is queued, and waits for them up to
     * {@code grace}.
     */
    public void shutdown(Duration grace) {
        queue.close();
        long deadline = System.nanoTime() + grace.toNanos();
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        threads.forEach(Thread::interrupt);
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(10));
    }
}
