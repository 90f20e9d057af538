package dev.otimo.batching;

import dev.otimo.runtime.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The batcher's policy semantics with a recording runner: which requests share a batch, in which
 * order, when they leave, and what happens to those that must not run. Asserts sizes and order;
 * the only time bound asserted is the lower one a policy promises (a lone request waits its delay).
 */
class BatcherTest {

    /** Records every batch as the list of task ids (the first element of each row). */
    private final List<List<Float>> batches = Collections.synchronizedList(new ArrayList<>());
    private final List<String> threads = Collections.synchronizedList(new ArrayList<>());
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private Batcher batcher;

    private final BatchRunner recording = (inputs, outputs) -> {
        threads.add(Thread.currentThread().getName());
        if (!gate.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("gate never opened");
        }
        Tensor x = inputs.get(0);
        float[] values = x.toFloatArray();
        List<Float> ids = new ArrayList<>();
        for (int row = 0; row < x.dim(0); row++) {
            ids.add(values[(int) (row * (values.length / x.dim(0)))]);
        }
        batches.add(ids);
        float[] doubled = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            doubled[i] = values[i] * 2;
        }
        return List.of(Tensor.ofFloats("y", x.shape(), doubled));
    };

    @AfterEach
    void close() {
        gate.countDown();
        if (batcher != null) {
            batcher.shutdown(Duration.ofSeconds(5));
        }
    }

    private static BatchingPolicy policy(int max, long delayMicros, List<Integer> preferred, int capacity, int levels) {
        return new BatchingPolicy(max, delayMicros, preferred, capacity, 0, levels);
    }

    private Mono<List<Tensor>> submit(float id) {
        return submit(id, 1, "w2", 1, 0);
    }

    private Mono<List<Tensor>> submit(float id, int rows, String shapeKey, int priority, long timeoutMicros) {
        float[] data = new float[rows * 2];
        java.util.Arrays.fill(data, id);
        return batcher.submit(List.of(Tensor.ofFloats("x", new long[] {rows, 2}, data)), Set.of(), rows, shapeKey,
                priority, timeoutMicros);
    }

    /** Occupies the single runner until {@link #gate} opens, so that the next requests queue up. */
    private CompletableFuture<List<Tensor>> occupyRunner() {
        gate = new CountDownLatch(1);
        CompletableFuture<List<Tensor>> blocker = submit(-1).toFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> threads.size() == 1);
        return blocker;
    }

    @Test
    void fullBatchLeavesWithoutWaitingForTheDelay() {
        batcher = new Batcher("t", policy(4, 10_000_000, List.of(), 100, 1), 1, recording, BatchListener.NONE);
        List<CompletableFuture<List<Tensor>>> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            all.add(submit(i).toFuture());
        }
        // the delay is ten seconds: only a full batch can leave within the wait below
        await().atMost(Duration.ofSeconds(8)).until(() -> all.stream().allMatch(CompletableFuture::isDone));
        assertThat(batches).containsExactly(List.of(0f, 1f, 2f, 3f));
    }

    @Test
    void loneRequestLeavesAfterTheDelay() {
        batcher = new Batcher("t", policy(8, 150_000, List.of(), 100, 1), 1, recording, BatchListener.NONE);
        long start = System.nanoTime();
        List<Tensor> out = submit(7).block(Duration.ofSeconds(20));
        long waited = System.nanoTime() - start;
        assertThat(waited).isGreaterThanOrEqualTo(TimeUnit.MICROSECONDS.toNanos(150_000));
        assertThat(batches).containsExactly(List.of(7f));
        assertThat(out.get(0).toFloatArray()).containsExactly(14f, 14f);
    }

    @Test
    void maxBatchSizeOneRunsEachRequestAlone() {
        batcher = new Batcher("t", BatchingPolicy.OFF, 1, recording, BatchListener.NONE);
        CompletableFuture<List<Tensor>> blocker = occupyRunner();
        List<CompletableFuture<List<Tensor>>> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            all.add(submit(i).toFuture());
        }
        gate.countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> all.stream().allMatch(CompletableFuture::isDone) && blocker.isDone());
        assertThat(batches).containsExactly(List.of(-1f), List.of(0f), List.of(1f), List.of(2f));
    }

    @Test
    void preferredSizeLeavesAtOnceAndTheRestWaitsForTheDelay() {
        batcher = new Batcher("t", policy(8, 100_000, List.of(4), 100, 1), 1, recording, BatchListener.NONE);
        CompletableFuture<List<Tensor>> blocker = occupyRunner();
        List<CompletableFuture<List<Tensor>>> all = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            all.add(submit(i).toFuture());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> batcher.queueDepth() == 7);
        gate.countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> all.stream().allMatch(CompletableFuture::isDone) && blocker.isDone());
        assertThat(batches).containsExactly(List.of(-1f), List.of(0f, 1f, 2f, 3f), List.of(4f, 5f, 6f));
    }

    @Test
    void requestsOfDifferentShapesNeverShareABatch() {
        batcher = new Batcher("t", policy(16, 0, List.of(), 100, 1), 1, recording, BatchListener.NONE);
        CompletableFuture<List<Tensor>> blocker = occupyRunner();
        List<CompletableFuture<List<Tensor>>> all = new ArrayList<>();
        all.add(submit(0, 1, "a", 1, 0).toFuture());
        all.add(submit(1, 1, "b", 1, 0).toFuture());
        all.add(submit(2, 1, "a", 1, 0).toFuture());
        all.add(submit(3, 1, "b", 1, 0).toFuture());
        await().atMost(Duration.ofSeconds(10)).until(() -> batcher.queueDepth() == 4);
        gate.countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> all.stream().allMatch(CompletableFuture::isDone) && blocker.isDone());
        assertThat(batches).containsExactly(List.of(-1f), List.of(0f, 2f), List.of(1f, 3f));
    }

    @Test
    void multiRowRequestsAreSplitBackExactly() {
        batcher = new Batcher("t", policy(16, 0, List.of(), 100, 1), 1, recording, BatchListener.NONE);
        CompletableFuture<List<Tensor>> blocker = occupyRunner();
        CompletableFuture<List<Tensor>> three = submit(5, 3, "w2", 1, 0).toFuture();
        CompletableFuture<List<Tensor>> one = submit(9, 1, "w2", 1, 0).toFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> batcher.queueDepth() == 2);
        gate.countDown();
        assertThat(three.join().get(0).shape()).containsExactly(3, 2);
        assertThat(three.join().get(0).toFloatArray()).containsOnly(10f);
        assertThat(one.join().get(0).toFloatArray()).containsExactly(18f, 18f);
        assertThat(blocker.join()).isNotEmpty();
        assertThat(batches).containsExactly(List.of(-1f), List.of(5f, 5f, 5f, 9f));
    }

    @Test
    void higherPriorityLeavesFirst() {
        batcher = new Batcher("t", policy(1, 0, List.of(), 100, 3), 1, recording, BatchListener.NONE);
        CompletableFuture<List<Tensor>> blocker = occupyRunner();
        List<CompletableFuture<List<Tensor>>> all = new ArrayList<>();
        all.add(submit(3, 1, "w2", 3, 0).toFuture());
        all.add(submit(2, 1, "w2", 2, 0).toFuture());
        all.add(submit(1, 1, "w2", 1, 0).toFuture());
        await().atMost(Duration.ofSeconds(10)).until(() -> batcher.queueDepth() == 3);
        gate.countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> all.stream().allMatch(CompletableFuture::isDone) && blocker.isDone());
        assertThat(batches).containsExactly(List.of(-1f), List.of(1f), List.of(2f), List.of(3f));
    }

    @Test
    void fullQueueRejectsWithRetryAfter() {
        batcher = new Batcher("t", policy(1, 0, List.of(), 2, 1), 1, recording, BatchListener.NONE);
        CompletableFuture<List<Tensor>> blocker = occupyRunner();
        CompletableFuture<List<Tensor>> a = submit(1).toFuture();
        CompletableFuture<List<Tensor>> b = submit(2).toFuture();
        assertThatThrownBy(() -> submit(3).block(Duration.ofSeconds(5)))
                .isInstanceOf(QueueRejectedException.class).hasMessageContaining("queue is full")
                .satisfies(e -> assertThat(((QueueRejectedException) e).retryAfterSeconds()).isPositive());
        gate.countDown();
        a.join();
        b.join();
        blocker.join();
        assertThat(batches).doesNotContain(List.of(3f));
    }

    @Test
    void expiredTimeoutFailsAndTheWorkNeverRuns() {
        batcher = new Batcher("t", policy(4, 0, List.of(), 100, 1), 1, recording, BatchListener.NONE);
        CompletableFuture<List<Tensor>> blocker = occupyRunner();
        CompletableFuture<List<Tensor>> late = submit(42, 1, "w2", 1, 20_000).toFuture();
        await().atMost(Duration.ofSeconds(10)).until(late::isDone);
        assertThat(late).isCompletedExceptionally();
        assertThatThrownBy(late::join).hasCauseInstanceOf(QueueRejectedException.class).hasMessageContaining("timeout");
        assertThat(batcher.queueDepth()).isZero();
        gate.countDown();
        blocker.join();
        submit(1).block(Duration.ofSeconds(10));
        assertThat(batches).noneMatch(b -> b.contains(42f));
    }

    @Test
    void cancelledRequestLeavesTheQueueAndNeverRuns() {
        batcher = new Batcher("t", policy(4, 0, List.of(), 100, 1), 1, recording, BatchListener.NONE);
        CompletableFuture<List<Tensor>> blocker = occupyRunner();
        Disposable client = submit(13).subscribe();
        await().atMost(Duration.ofSeconds(10)).until(() -> batcher.queueDepth() == 1);
        client.dispose();
        assertThat(batcher.queueDepth()).isZero();
        gate.countDown();
        blocker.join();
        submit(1).block(Duration.ofSeconds(10));
        assertThat(batches).noneMatch(b -> b.contains(13f));
    }

    @Test
    void modelRunsOnlyOnRunnerThreads() {
        batcher = new Batcher("iris-v1", policy(4, 0, List.of(), 100, 1), 2, recording, BatchListener.NONE);
        for (int i = 0; i < 5; i++) {
            submit(i).block(Duration.ofSeconds(10));
        }
        assertThat(threads).isNotEmpty().allSatisfy(name -> assertThat(name).startsWith("otimo-runner-iris-v1-"));
    }

    @Test
    void shutdownFinishesQueuedWorkThenRefusesNewRequests() {
        batcher = new Batcher("t", policy(1, 0, List.of(), 100, 1), 1, recording, BatchListener.NONE);
        CompletableFuture<List<Tensor>> blocker = occupyRunner();
        CompletableFuture<List<Tensor>> queued = submit(1).toFuture();
        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> batcher.shutdown(Duration.ofSeconds(20)));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThatThrownBy(() -> submit(2).block(Duration.ofSeconds(5))).isInstanceOf(QueueRejectedException.class)
                        .hasMessageContaining("shutting down"));
        gate.countDown();
        shutdown.join();
        assertThat(queued.join().get(0).toFloatArray()).containsExactly(2f, 2f);
        assertThat(blocker).isCompleted();
        batcher = null;
    }

    @Test
    void listenerSeesBatchSizesAndQueueWaits() {
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        List<Long> waits = Collections.synchronizedList(new ArrayList<>());
        BatchListener listener = new BatchListener() {
            @Override
            public void batchRan(int requests, int rows, long computeNanos) {
                sizes.add(rows);
            }

            @Override
            public void dequeued(long queueNanos) {
                waits.add(queueNanos);
            }
        };
        batcher = new Batcher("t", policy(3, 10_000_000, List.of(), 100, 1), 1, recording, listener);
        List<CompletableFuture<List<Tensor>>> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            all.add(submit(i).toFuture());
        }
        all.forEach(CompletableFuture::join);
        assertThat(sizes).containsExactly(3);
        assertThat(waits).hasSize(3).allSatisfy(w -> assertThat(w).isNotNegative());
    }

    @Test
    void deliveryFailureFailsOnlyThatBatchAndTheRunnerGoesOn() {
        AtomicInteger runs = new AtomicInteger();
        BatchRunner failsOnce = (inputs, outputs) -> {
            if (runs.getAndIncrement() == 0) {
                throw new IllegalArgumentException("the model failed on the first batch");
            }
            return recording.run(inputs, outputs);
        };
        batcher = new Batcher("t", BatchingPolicy.OFF, 1, failsOnce, BatchListener.NONE);
        CompletableFuture<Throwable> delivered = new CompletableFuture<>();
        // the client's error callback itself throws while the runner hands it the failure
        submit(1).subscribe(out -> { }, e -> {
            delivered.complete(e);
            throw new IllegalStateException("the client's callback failed");
        });
        assertThat(delivered.join()).hasMessageContaining("the model failed on the first batch");
        List<Tensor> later = submit(2).block(Duration.ofSeconds(10));
        assertThat(later.get(0).toFloatArray()).containsExactly(4f, 4f);
    }

    @Test
    void taskMissingAnInputDoesNotTurnBatchingOff() {
        batcher = new Batcher("t", policy(2, 10_000_000, List.of(), 100, 1), 1, recording, BatchListener.NONE);
        CompletableFuture<List<Tensor>> whole = submit(1).toFuture();
        // same shape key, but its only input is not the "x" the first request of the batch has
        CompletableFuture<List<Tensor>> lacking = batcher.submit(List.of(Tensor.ofFloats("z", new long[] {1, 2}, new float[] {2, 2})),
                Set.of(), 1, "w2", 1, 0).toFuture();
        await().atMost(Duration.ofSeconds(8)).until(() -> whole.isDone() && lacking.isDone());
        assertThat(whole).isCompletedExceptionally();
        assertThat(lacking).isCompletedExceptionally();
        assertThatThrownBy(whole::join).hasMessageContaining("lacks input x");
        CompletableFuture<List<Tensor>> third = submit(3).toFuture();
        CompletableFuture<List<Tensor>> fourth = submit(4).toFuture();
        assertThat(third.join().get(0).toFloatArray()).containsExactly(6f, 6f);
        assertThat(fourth.join().get(0).toFloatArray()).containsExactly(8f, 8f);
        assertThat(batches).containsExactly(List.of(3f, 4f));
    }

    @Test
    void outputsNotBatchedTurnsBatchingOffOnlyForThatReason() {
        List<Long> rowsRun = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean failNext = new AtomicBoolean(true);
        // a model whose output has one row whatever the batch, and that fails its first run on its own account
        BatchRunner summary = (inputs, outputs) -> {
            long rows = inputs.get(0).dim(0);
            rowsRun.add(rows);
            if (failNext.getAndSet(false)) {
                throw new IllegalStateException("the session is busy");
            }
            return List.of(Tensor.ofFloats("y", new long[] {1, 2}, new float[] {rows, 0}));
        };
        batcher = new Batcher("t", policy(2, 10_000_000, List.of(), 100, 1), 1, summary, BatchListener.NONE);
        CompletableFuture<List<Tensor>> a = submit(1).toFuture();
        CompletableFuture<List<Tensor>> b = submit(2).toFuture();
        await().atMost(Duration.ofSeconds(8)).until(() -> a.isDone() && b.isDone());
        assertThatThrownBy(a::join).hasMessageContaining("the session is busy");
        assertThatThrownBy(b::join).hasMessageContaining("the session is busy");
        // still batched: this pair runs together, its output is not cut along axis 0, and each runs alone instead
        CompletableFuture<List<Tensor>> c = submit(3).toFuture();
        CompletableFuture<List<Tensor>> d = submit(4).toFuture();
        assertThat(c.join().get(0).toFloatArray()).containsExactly(1f, 0f);
        assertThat(d.join().get(0).toFloatArray()).containsExactly(1f, 0f);
        // from now on every request runs alone
        CompletableFuture<List<Tensor>> e = submit(5).toFuture();
        CompletableFuture<List<Tensor>> f = submit(6).toFuture();
        e.join();
        f.join();
        assertThat(rowsRun).containsExactly(2L, 2L, 1L, 1L, 1L, 1L);
    }

    @Test
    void stoppedRunnerMakesTheDeploymentNotReadyWithTheReason() {
        BatchRunner failing = (inputs, outputs) -> {
            throw new IllegalArgumentException("the model refused the input");
        };
        batcher = new Batcher("t", BatchingPolicy.OFF, 1, failing, BatchListener.NONE);
        // failing the request fails in turn, with an Error: nothing is left to fall back on
        submit(1).subscribe(out -> { }, e -> {
            throw new OutOfMemoryError("no heap left to answer");
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> batcher.stopReason().isPresent());
        assertThat(batcher.stopReason().orElseThrow()).startsWith("runner thread stopped: ")
                .contains("OutOfMemoryError").contains("no heap left to answer");
        assertThatThrownBy(() -> submit(2).block(Duration.ofSeconds(5)))
                .isInstanceOf(RunnerStoppedException.class).hasMessageContaining("runner thread stopped: ");
    }
}
