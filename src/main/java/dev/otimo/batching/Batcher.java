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
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A deployment's dynamic batcher: a bounded priority queue fed by requests and drained by
 * {@code instances} runner threads, each forming a batch, running it on the session and handing
 * each request its slice. Model runs happen only on these dedicated threads.
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
            long deadline = timeout > 0 ? System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(timeout) : 0;
            InferenceTask task = new InferenceTask(inputs, outputs, rows, shapeKey,
                    Math.min(Math.max(priority, 1), policy.priorityLevels()), deadline, sink::success, sink::error);
            if (!queue.offer(task)) {
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
        while (true) {
            List<InferenceTask> batch;
            try {
                batch = queue.takeBatch(expired);
            } catch (InterruptedException e) {
                return;
            }
            for (InferenceTask task : expired) {
                rejectExpired(task, (task.deadlineNanos - task.enqueuedNanos) / 1000);
            }
            if (!expired.isEmpty()) {
                expired.clear();
                continue;
            }
            if (batch.isEmpty()) {
                return;
            }
            execute(batch);
        }
    }

    private void execute(List<InferenceTask> batch) {
        long start = System.nanoTime();
        int rows = 0;
        for (InferenceTask task : batch) {
            rows += task.rows;
            listener.dequeued(start - task.enqueuedNanos);
        }
        if (batch.size() == 1 || batchingBroken) {
            for (InferenceTask task : batch) {
                runAlone(task);
            }
            return;
        }
        List<List<Tensor>> results;
        try {
            List<Tensor> outputs = runner.run(TensorBatch.stack(batch, rows), unionOfOutputs(batch));
            results = TensorBatch.split(outputs, batch, rows);
        } catch (IllegalStateException e) {
            // the model's outputs turned out not to be batched along axis 0: serve request by request
            log.warn("{}: {}; batching disabled for this deployment", name, e.getMessage());
            batchingBroken = true;
            batch.forEach(this::runAlone);
            return;
        } catch (Throwable e) {
            batch.forEach(task -> task.fail(e));
            return;
        }
        listener.batchRan(batch.size(), rows, System.nanoTime() - start);
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).succeed(results.get(i));
        }
    }

    private void runAlone(InferenceTask task) {
        long start = System.nanoTime();
        List<Tensor> outputs;
        try {
            outputs = runner.run(task.inputs, task.outputs);
        } catch (Throwable e) {
            task.fail(e);
            return;
        }
        listener.batchRan(1, task.rows, System.nanoTime() - start);
        task.succeed(outputs);
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
