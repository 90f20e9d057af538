package dev.otimo.experiments;

import dev.otimo.config.ExperimentProperties;
import dev.otimo.routing.RoutingPolicies;
import dev.otimo.routing.RoutingPolicy;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Looks at every open experiment at a fixed interval ({@code otimo.experiments.check-interval}), so that a
 * verdict is reached even when nobody reads it: a RUNNING experiment whose verdict is final becomes CONCLUDED,
 * and one started with {@code autoPromote} is promoted to its winner, as actor {@value Experiments#ACTOR}, once
 * the canary guard is quiet: no guard of the model breached and the weights still the experiment's (a guard
 * that rolled a variant back has changed them).
 */
@Component
public class ExperimentJudge {

    private static final Logger log = LoggerFactory.getLogger(ExperimentJudge.class);

    private final LiveExperiments live;
    private final Experiments experiments;
    private final RoutingPolicies routing;
    private final long intervalMillis;
    private Disposable timer;

    public ExperimentJudge(LiveExperiments live, Experiments experiments, RoutingPolicies routing, ExperimentProperties properties) {
        this.live = live;
        this.experiments = experiments;
        this.routing = routing;
        this.intervalMillis = properties.checkInterval().toMillis();
    }

    @EventListener(ContextRefreshedEvent.class)
    public synchronized void start() {
        if (timer == null && intervalMillis > 0) {
            timer = Schedulers.boundedElastic().schedulePeriodically(this::judgeAll, intervalMillis, intervalMillis,
                    TimeUnit.MILLISECONDS);
        }
    }

    @PreDestroy
    synchronized void stop() {
        if (timer != null) {
            timer.dispose();
            timer = null;
        }
    }

    /** One look at every open experiment. Blocks on the database. */
    public void judgeAll() {
        for (LiveExperiment e : List.copyOf(live.all())) {
            try {
                judge(e);
            } catch (RuntimeException failure) {
                log.warn("judging experiment {} of model '{}' failed: {}", e.id(), e.model(), failure.toString());
            }
        }
    }

    private void judge(LiveExperiment e) {
        ExperimentReport.VerdictFigures verdict = e.report().verdict();
        if (!verdict.concluded()) {
            return;
        }
        if (!e.concludedStored()) {
            // false when the row is no longer RUNNING (another replica concluded it, or it ended): nothing left to write
            experiments.conclude(e.id(), verdict);
            e.concludedStored(true);
        }
        if (e.autoPromote() && verdict.winner() != null && guardQuiet(e)) {
            experiments.promote(e.model(), e.id(), verdict.winner(), Experiments.ACTOR);
            log.info("experiment {} of model '{}' promoted version {}: {}", e.id(), e.model(), verdict.winner(), verdict.text());
        }
    }

    private boolean guardQuiet(LiveExperiment e) {
        if (!routing.guardQuiet(e.model())) {
            return false;
        }
        Optional<RoutingPolicy> policy = routing.live(e.model());
        return policy.isPresent() && e.arms().stream().allMatch(arm -> policy.get().variants().stream()
                .anyMatch(v -> v.version() == arm.getVersion() && v.weight() == arm.getWeight()));
    }
}
