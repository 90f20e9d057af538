package dev.otimo.experiments;

import dev.otimo.registry.MirrorReload;
import dev.otimo.registry.RegistryChanged;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The open experiments of every model as the request path reads them: one {@link LiveExperiment} per model,
 * in a map swapped atomically. Reloaded from the database on every registry change (so experiments started
 * or ended through another replica arrive too); an experiment still open keeps its counters across reloads,
 * a newly loaded one starts with fresh ones.
 */
@Component
public class LiveExperiments implements SmartInitializingSingleton {

    private final ExperimentRepository repository;
    private final TransactionTemplate tx;
    private final AtomicReference<Map<String, LiveExperiment>> byModel = new AtomicReference<>(Map.of());
    private final MirrorReload<List<Experiment>> mirror;

    public LiveExperiments(ExperimentRepository repository, TransactionTemplate tx) {
        this.repository = repository;
        this.tx = tx;
        this.mirror = new MirrorReload<>("experiments", this::readOpen, this::swapIn);
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
        mirror.onChange();
    }

    /** Reads the open experiments and swaps them in. Blocks on the database. */
    public void reload() {
        mirror.reload();
    }

    private List<Experiment> readOpen() {
        return Objects.requireNonNull(tx.execute(s ->
                repository.findByStatusIn(EnumSet.of(ExperimentStatus.RUNNING, ExperimentStatus.CONCLUDED))));
    }

    private void swapIn(List<Experiment> open) {
        Map<String, LiveExperiment> current = byModel.get();
        Map<String, LiveExperiment> next = new HashMap<>();
        for (Experiment e : open) {
            LiveExperiment existing = current.get(e.getModel().getName());
            next.put(e.getModel().getName(), existing != null && existing.id() == e.getId() ? existing : LiveExperiment.of(e));
        }
        byModel.set(Map.copyOf(next));
    }
}
