package dev.otimo.routing;

import dev.otimo.config.ResilienceProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Shares the canary guards' windows between replicas through the registry database. Once per
 * interval each replica writes what its guards saw in the seconds just finished (table
 * {@code guard_tally}), then judges each watched variant on the sum of every replica's calls in the
 * guard's window. A breach rolls the variant back as a local breach does, stored in the policy, so
 * every replica stops routing to it. Off the hot path: requests only bump counters in memory.
 */
@Component
public class SharedGuardWindows implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SharedGuardWindows.class);
    /** Longer than any guard window (at most 3600 s): older rows are removed. */
    private static final long KEEP_SECONDS = 3700;

    private final String replica = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final RoutingPolicies policies;
    private final JdbcTemplate jdbc;
    private final Duration interval;
    private ScheduledExecutorService timer;
    private long ticks;

    public SharedGuardWindows(RoutingPolicies policies, JdbcTemplate jdbc, ResilienceProperties resilience) {
        this.policies = policies;
        this.jdbc = jdbc;
        this.interval = resilience.guardShareInterval();
    }

    /** Writes the finished seconds' tallies and judges every watched variant on all replicas' calls. */
    public void tick() {
        long now = System.currentTimeMillis() / 1000;
        List<Object[]> rows = new ArrayList<>();
        Map<CanaryGuard, Timestamp> watched = new java.util.LinkedHashMap<>();
        for (ActivePolicy policy : policies.activePolicies()) {
            Timestamp policyAt = Timestamp.from(policy.updatedAt());
            for (CanaryGuard guard : policy.guards()) {
                watched.put(guard, policyAt);
                for (CanaryGuard.Tally t : guard.drainBefore(now)) {
                    rows.add(new Object[] {replica, guard.model(), guard.version(), policyAt, t.second(), t.calls(), t.failures(), t.slow()});
                }
            }
        }
        if (!rows.isEmpty()) {
            jdbc.batchUpdate("insert into guard_tally (replica, model, version, policy_at, epoch_second, calls, failures, slow)"
                    + " values (?, ?, ?, ?, ?, ?, ?, ?)", rows);
        }
        watched.forEach((guard, policyAt) -> {
            if (guard.breached()) {
                return;
            }
            Map<String, Object> sum = jdbc.queryForMap("select coalesce(sum(calls), 0) as calls, coalesce(sum(failures), 0) as failures,"
                    + " coalesce(sum(slow), 0) as slow from guard_tally where model = ? and version = ? and policy_at = ? and epoch_second >= ?",
                    guard.model(), guard.version(), policyAt, now - guard.windowSeconds());
            guard.judgeShared(number(sum.get("calls")), number(sum.get("failures")), number(sum.get("slow")));
        });
        if (++ticks % 60 == 1) {
            jdbc.update("delete from guard_tally where epoch_second < ?", now - KEEP_SECONDS);
        }
    }

    private static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.warn("sharing canary guard windows failed: {}", e.toString());
        }
    }

    @Override
    public synchronized void start() {
        if (timer != null || interval.isZero()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "otimo-guard-share");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tickQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return timer != null;
    }
}
