package dev.otimo.experiments;

import dev.otimo.registry.RegistryChanged;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import reactor.core.scheduler.Schedulers;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The open experiments of every model as the request path reads them: one {@link LiveExperiment} per model,
 * in a map swapped atomically. Reloaded from the database on every registry change (so experiments started
 * or ended through another replica arrive too); an experiment still open keeps its counters across reloads,
 * a newly loaded one starts with fresh ones.
 */
@Component
public class LiveExperiments implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(LiveExperiments.class);

    private final ExperimentRepository repository;
    private final TransactionTemplate tx;
    private final AtomicReference<Map<String, LiveExperiment>> byModel = new AtomicReference<>(Map.of());
    private final AtomicLong reads = new AtomicLong();
    private final Object swap = new Object();
    private long appliedRead;

    public LiveExperiments(ExperimentRepository repository, TransactionTemplate tx) {
        this.repository = repository;
        this.tx = tx;
    }

    /** The model's open experiment, or null. Never blocks. */
    LiveExperiment of(String model) {
        return byModel.get().get(model);
    }

    /** The open experiment with this id, or null. Never blocks. */
    LiveExperiment byId(long id) {
        for (LiveExperiment e : byModel.get().values()) {
            if (e.id() == id) {
                return e;
            }
        }
        return null;
    }

    /** Every open experiment. Never blocks. */
    java.util.Collection<LiveExperiment> all() {
        return byModel.get().values();
    }

    @Override
    public void afterSingletonsInstantiated() {
        reload();
    }

    @EventListener
    public void onRegistryChanged(RegistryChanged event) {
        if (Schedulers.isInNonBlockingThread()) {
            Schedulers.boundedElastic().schedule(this::reloadQuietly);
        } else {
            reload();
        }
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (RuntimeException e) {
            log.error("reloading experiments failed", e);
        }
    }

    /** Reads the open experiments and swaps them in. Blocks on the database. */
    public void reload() {
        long read = reads.incrementAndGet();
        List<Experiment> open = Objects.requireNonNull(tx.execute(s ->
                repository.findByStatusIn(EnumSet.of(ExperimentStatus.RUNNING, ExperimentStatus.CONCLUDED))));
        synchronized (swap) {
            if (read <= appliedRead) {
                return; // a read that started later was applied already
            }
            appliedRead = read;
            Map<String, LiveExperiment> current = byModel.get();
            Map<String, LiveExperiment> next = new HashMap<>();
            for (Experiment e : open) {
                LiveExperiment existing = current.get(e.getModel().getName());
                next.put(e.getModel().getName(), existing != null && existing.id() == e.getId() ? existing : LiveExperiment.of(e));
            }
            byModel.set(Map.copyOf(next));
        }
    }
}
