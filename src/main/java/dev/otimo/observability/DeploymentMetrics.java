package dev.otimo.observability;

import dev.otimo.batching.BatchListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * A deployment's batcher figures as Micrometer meters tagged by model and version: batch sizes,
 * queue wait, compute time, queue depth and rejections. {@link #close()} removes them.
 */
public final class DeploymentMetrics implements BatchListener, AutoCloseable {

    private final MeterRegistry registry;
    private final Tags tags;
    private final DistributionSummary batchSize;
    private final Timer queueWait;
    private final Timer compute;
    private final Counter rejectedFull;
    private final Counter rejectedTimeout;
    private final List<Meter> meters = new ArrayList<>();

    public DeploymentMetrics(MeterRegistry registry, String model, int version, IntSupplier queueDepth) {
        this.registry = registry;
        this.tags = Tags.of("model", model, "version", Integer.toString(version));
        this.batchSize = register(DistributionSummary.builder("otimo.batch.size").description("rows per model run")
                .tags(tags).serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024).register(registry));
        this.queueWait = register(Timer.builder("otimo.queue.wait").description("time requests wait for a runner")
                .tags(tags).publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry));
        this.compute = register(Timer.builder("otimo.compute").description("model run time per batch")
                .tags(tags).publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry));
        this.rejectedFull = register(Counter.builder("otimo.rejected").description("requests turned away by the batcher")
                .tags(tags.and("reason", "queue_full")).register(registry));
        this.rejectedTimeout = register(Counter.builder("otimo.rejected").description("requests turned away by the batcher")
                .tags(tags.and("reason", "timeout")).register(registry));
        register(Gauge.builder("otimo.queue.depth", queueDepth::getAsInt).description("requests waiting")
                .tags(tags).register(registry));
    }

    private <M extends Meter> M register(M meter) {
        meters.add(meter);
        return meter;
    }

    @Override
    public void batchRan(int requests, int rows, long computeNanos) {
        batchSize.record(rows);
        compute.record(computeNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void dequeued(long queueNanos) {
        queueWait.record(queueNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void rejected(String reason) {
        (reason.equals("timeout") ? rejectedTimeout : rejectedFull).increment();
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
