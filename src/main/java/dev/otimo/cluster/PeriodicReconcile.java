package dev.otimo.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The safety net under the notifications: reconciles everything at a fixed delay, so that a change
 * whose notice was lost (or a database without notifications) still reaches this replica.
 */
class PeriodicReconcile {

    private static final Logger log = LoggerFactory.getLogger(PeriodicReconcile.class);

    private final Runnable resync;
    private final Duration interval;
    private ScheduledExecutorService timer;

    PeriodicReconcile(Runnable resync, Duration interval) {
        this.resync = resync;
        this.interval = interval;
    }

    synchronized void start() {
        if (timer != null || interval.isZero()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "otimo-reconcile");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            resync.run();
        } catch (RuntimeException e) {
            log.warn("periodic reconcile failed: {}", e.toString());
        }
    }

    synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
