package dev.otimo.routing;

import dev.otimo.config.ResilienceProperties;
import dev.otimo.observability.AuditLog;
import dev.otimo.observability.RoutingMetrics;
import dev.otimo.registry.ConflictException;
import dev.otimo.registry.Model;
import dev.otimo.registry.MirrorReload;
import dev.otimo.registry.ModelRouting;
import dev.otimo.registry.ModelRoutingRepository;
import dev.otimo.registry.NotFoundException;
import dev.otimo.registry.RegistryChanged;
import dev.otimo.registry.RegistryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import reactor.core.scheduler.Schedulers;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Routing policies: stored per model, held in memory for the hot path (swapped atomically, reloaded
 * on every registry change so that other replicas' changes arrive too), and rolled back by the
 * canary guard. Every method but {@link #active} blocks on the database: call it off the event loop.
 */
@Component
public class RoutingPolicies implements SmartInitializingSingleton {

    /** Audit action of a policy set through the admin API. */
    public static final String UPDATED = "routing.update";
    /** Audit action of a policy removed through the admin API. */
    public static final String DELETED = "routing.delete";
    /** Audit action of a variant rolled back by the canary guard. */
    public static final String GUARD_TRIP = "guard.trip";
    /** The audit actions shown as a model's routing events. */
    public static final List<String> EVENT_ACTIONS = List.of(UPDATED, DELETED, GUARD_TRIP);

    private static final Logger log = LoggerFactory.getLogger(RoutingPolicies.class);

    private final ModelRoutingRepository repository;
    private final RegistryService registry;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final AuditLog audit;
    private final RoutingMetrics metrics;
    private final int guardMinimumCalls;
    private final AtomicReference<Map<String, ActivePolicy>> active = new AtomicReference<>(Map.of());
    private final MirrorReload<List<StoredPolicy>> mirror;

    public RoutingPolicies(ModelRoutingRepository repository, RegistryService registry, TransactionTemplate tx,
                           ApplicationEventPublisher events, AuditLog audit, RoutingMetrics metrics,
                           ResilienceProperties resilience) {
        this.repository = repository;
        this.registry = registry;
        this.tx = tx;
        this.events = events;
        this.audit = audit;
        this.metrics = metrics;
        this.guardMinimumCalls = resilience.guardMinimumCalls();
        this.mirror = new MirrorReload<>("routing policies", this::readAll, this::swapIn);
    }

    /** Every model's policy as the hot path reads it. Never blocks. */
    java.util.Collection<ActivePolicy> activePolicies() {
        return active.get().values();
    }

    /** The model's policy as the hot path reads it, or null when it has none. Never blocks. */
    ActivePolicy active(String model) {
        return active.get().get(model);
    }

    /** The policy this replica routes the model by now (a guard's roll-back included), or empty. Never blocks. */
    public Optional<RoutingPolicy> live(String model) {
        return Optional.ofNullable(active(model)).map(ActivePolicy::policy);
    }

    /**
     * Whether the model's canary guard is quiet: no guard of the live policy has breached its limits (true
     * when the policy has no guard). A roll-back replaces the policy, so callers that care whether one happened
     * compare the {@linkplain #live live} weights with the ones they set. Never blocks.
     */
    public boolean guardQuiet(String model) {
        ActivePolicy policy = active(model);
        return policy == null || policy.guards().stream().noneMatch(CanaryGuard::breached);
    }

    /** The stored policy of an existing model, or empty when it has none. */
    public Optional<StoredPolicy> find(String model) {
        Model m = registry.model(model);
        return Objects.requireNonNull(tx.execute(s -> repository.findByModel(m).map(StoredPolicy::of)));
    }

    /**
     * Validates and stores a model's policy, replacing any earlier one, and returns once this
     * replica routes by it. Every version it names must be deployed ({@link ConflictException}).
     */
    public StoredPolicy save(String model, RoutingPolicy policy, String actor) {
        policy.validated();
        Model m = registry.model(model);
        for (int version : policy.versions()) {
            requireDeployed(model, version);
        }
        RoutingPolicy.Shadow shadow = policy.shadow();
        RoutingPolicy.Guard guard = policy.guard();
        ModelRouting saved;
        try {
            saved = tx.execute(s -> {
                ModelRouting row = repository.findByModel(m).orElseGet(() -> new ModelRouting(m));
                row.configure(StoredPolicy.rows(policy), policy.stickyHeader(),
                        shadow == null ? null : shadow.version(), shadow == null ? null : shadow.percent(),
                        guard == null ? null : guard.maxErrorRate(), guard == null ? null : guard.maxP99Millis(),
                        guard == null ? null : guard.windowSeconds(), actor);
                return repository.saveAndFlush(row);
            });
        } catch (DataIntegrityViolationException e) {
            throw new ConflictException("the routing policy of model '" + model + "' was created concurrently; send the change again");
        }
        audit.record(actor, UPDATED, model, null, policy.describe());
        events.publishEvent(new RegistryChanged(model, "routing updated"));
        return StoredPolicy.of(Objects.requireNonNull(saved));
    }

    /** Removes a model's policy: unversioned requests go to the newest serving version again. */
    public void delete(String model, String actor) {
        Model m = registry.model(model);
        tx.executeWithoutResult(s -> {
            ModelRouting row = repository.findByModel(m).orElseThrow(() ->
                    new NotFoundException("model '" + model + "' has no routing policy"));
            repository.delete(row);
        });
        audit.record(actor, DELETED, model, null, "unversioned requests go to the newest serving version");
        events.publishEvent(new RegistryChanged(model, "routing removed"));
    }

    private void requireDeployed(String model, int version) {
        try {
            if (registry.deployment(model, version).isEmpty()) {
                throw new ConflictException("model '" + model + "' version " + version
                        + " is not deployed; deploy it before routing traffic to it");
            }
        } catch (NotFoundException e) {
            throw new ConflictException("model '" + model + "' has no version " + version + "; routing can only name deployed versions");
        }
    }

    @Override
    public void afterSingletonsInstantiated() {
        reload();
    }

    /** Reloads the policies on any change: routing changes of other replicas arrive as registry changes. */
    @EventListener
    public void onRegistryChanged(RegistryChanged event) {
        mirror.onChange();
    }

    /** Reads every policy and swaps them in; a policy whose row is unchanged keeps its guard windows. */
    public void reload() {
        mirror.reload();
    }

    private List<StoredPolicy> readAll() {
        return Objects.requireNonNull(tx.execute(s -> repository.findAll().stream().map(StoredPolicy::of).toList()));
    }

    private void swapIn(List<StoredPolicy> stored) {
        Map<String, ActivePolicy> current = active.get();
        Map<String, ActivePolicy> next = new HashMap<>();
        for (StoredPolicy p : stored) {
            ActivePolicy existing = current.get(p.model());
            next.put(p.model(), existing != null && existing.updatedAt().equals(p.updatedAt())
                    ? existing : compile(p.model(), p.policy(), p.updatedAt()));
        }
        active.set(Map.copyOf(next));
    }

    private ActivePolicy compile(String model, RoutingPolicy policy, Instant updatedAt) {
        return new ActivePolicy(model, policy, updatedAt, guardMinimumCalls,
                (version, detail) -> Schedulers.boundedElastic().schedule(() -> trip(model, updatedAt, version, detail)));
    }

    /**
     * Rolls back a variant whose guard was breached: its weight goes to the primary in memory at
     * once, then in the database (unless an admin changed the policy meanwhile), the audit log
     * and the {@code otimo.guard.trips} counter.
     */
    private void trip(String model, Instant updatedAt, int version, String detail) {
        try {
            RoutingPolicy rolledBack;
            synchronized (mirror.lock()) {
                ActivePolicy current = active.get().get(model);
                if (current == null || !current.updatedAt().equals(updatedAt) || current.weight(version) == 0) {
                    return;
                }
                rolledBack = current.policy().withoutVariant(version);
                Map<String, ActivePolicy> next = new HashMap<>(active.get());
                // same updatedAt: a reload that still reads the old row keeps this rolled-back policy
                next.put(model, compile(model, rolledBack, updatedAt));
                active.set(Map.copyOf(next));
            }
            metrics.guardTripped(model, version);
            log.warn("canary guard of model '{}' rolled back version {}: {}", model, version, detail);
            Optional<Model> m = registry.findModel(model);
            boolean saved = m.isPresent() && Boolean.TRUE.equals(tx.execute(s -> repository.findByModel(m.get())
                    .filter(row -> row.getUpdatedAt().equals(updatedAt))
                    .map(row -> {
                        row.reweigh(StoredPolicy.rows(rolledBack), AuditLog.SYSTEM);
                        repository.saveAndFlush(row);
                        return true;
                    }).orElse(false)));
            audit.record(AuditLog.SYSTEM, GUARD_TRIP, model, version, detail + "; weight moved to version "
                    + rolledBack.primaryVersion() + (saved ? "" : " on this replica (the stored policy changed meanwhile)"));
            if (saved) {
                events.publishEvent(new RegistryChanged(model, "guard rolled back version " + version));
            }
        } catch (RuntimeException e) {
            log.error("rolling back model '{}' version {} failed", model, version, e);
        }
    }
}
