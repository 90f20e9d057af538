package dev.otimo.observability;

import jakarta.annotation.PreDestroy;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Request rate and latency percentiles of each served version over the last minute, for the
 * admin API (routing variants, deployment stats). Recording is wait-free (an HdrHistogram {@link Recorder}); every ten seconds the
 * recorded interval is moved into a short list of slices, and slices older than a minute drop out.
 */
@Component
public class VariantStats {

    private static final long WINDOW_MILLIS = 60_000;
    private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);
    private static final long IDLE_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
    private final Disposable roller;

    /** Rate over the window and p99 in milliseconds (null when nothing was recorded). */
    public record Snapshot(double requestsPerSecond, Double p50Millis, Double p99Millis) {
    }

    public VariantStats() {
        // interval histograms are taken off the hot path: taking one may yield the thread
        this.roller = Schedulers.boundedElastic().schedulePeriodically(this::roll, 10, 10, TimeUnit.SECONDS);
    }

    /** Records one request of {@code model} version {@code version} that took {@code nanos}. */
    public void record(String model, int version, long nanos) {
        String key = model + '\0' + version;
        Window w = windows.get(key);
        if (w == null) {
            w = windows.computeIfAbsent(key, k -> new Window());
        }
        w.recorder.recordValue(Math.min(Math.max(nanos / 1000, 0), MAX_MICROS));
        w.lastRecorded = System.currentTimeMillis();
    }

    /** The last minute of {@code model} version {@code version}. Call it off the event loop. */
    public Snapshot snapshot(String model, int version) {
        Window w = windows.get(model + '\0' + version);
        return w == null ? new Snapshot(0, null, null) : w.snapshot();
    }

    private void roll() {
        long now = System.currentTimeMillis();
        windows.values().removeIf(w -> now - w.lastRecorded > IDLE_MILLIS);
        windows.values().forEach(Window::roll);
    }

    @PreDestroy
    void stop() {
        roller.dispose();
    }

    private static final class Window {
        final Recorder recorder = new Recorder(MAX_MICROS, 2);
        final ArrayDeque<Histogram> slices = new ArrayDeque<>();
        final long created = System.currentTimeMillis();
        volatile long lastRecorded = created;

        synchronized void roll() {
            long now = System.currentTimeMillis();
            Histogram slice = recorder.getIntervalHistogram();
            slice.setEndTimeStamp(now);
            slices.addLast(slice);
            while (!slices.isEmpty() && now - slices.peekFirst().getEndTimeStamp() > WINDOW_MILLIS) {
                slices.removeFirst();
            }
        }

        synchronized Snapshot snapshot() {
            roll();
            long now = System.currentTimeMillis();
            Histogram total = new Histogram(MAX_MICROS, 2);
            long from = now;
            for (Histogram h : slices) {
                total.add(h);
                from = Math.min(from, h.getStartTimeStamp());
            }
            from = Math.max(Math.max(from, created), now - WINDOW_MILLIS);
            long count = total.getTotalCount();
            double seconds = Math.max(1.0, (now - from) / 1000.0);
            return new Snapshot(count / seconds, count == 0 ? null : total.getValueAtPercentile(50) / 1000.0,
                    count == 0 ? null : total.getValueAtPercentile(99) / 1000.0);
        }
    }
}
