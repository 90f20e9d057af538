package dev.otimo.experiments;

import dev.otimo.registry.RoutingVariant;
import dev.otimo.observability.AuditLog;
import dev.otimo.registry.ConflictException;
import dev.otimo.registry.Model;
import dev.otimo.registry.ModelVersion;
import dev.otimo.registry.NotFoundException;
import dev.otimo.registry.RegistryChanged;
import dev.otimo.registry.RegistryService;
import dev.otimo.routing.RoutingPolicies;
import dev.otimo.routing.RoutingPolicy;
import dev.otimo.routing.StoredPolicy;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A/B experiments' life: start (the model's routing weights become the experiment's), list, read with live
 * statistics, conclude, promote (the chosen version's weight becomes 100) and stop. Every change is audited
 * here, with the actor; routing changes are made and audited through {@link RoutingPolicies}. Blocking (JPA):
 * call it off the event loop.
 */
@Service
public class Experiments {

    public static final String STARTED = "experiment.start";
    public static final String CONCLUDED = "experiment.conclude";
    public static final String PROMOTED = "experiment.promote";
    public static final String STOPPED = "experiment.stop";
    /** The actor of what experiments do by themselves (conclusion, automatic promotion). */
    public static final String ACTOR = "experiment";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A stored experiment and its statistics: live while it is open, as summarised when it ended (or null). */
    public record State(Experiment experiment, ExperimentReport report) {
    }

    private final ExperimentRepository repository;
    private final RegistryService registry;
    private final RoutingPolicies routing;
    private final LiveExperiments live;
    private final TransactionTemplate tx;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;

    public Experiments(ExperimentRepository repository, RegistryService registry, RoutingPolicies routing, LiveExperiments live,
                       TransactionTemplate tx, AuditLog audit, ApplicationEventPublisher events) {
        this.repository = repository;
        this.registry = registry;
        this.routing = routing;
        this.live = live;
        this.tx = tx;
        this.audit = audit;
        this.events = events;
    }

    /**
     * Starts an experiment and routes the model's traffic by its weights (keeping the policy's sticky header,
     * shadow and guard). 404 for an unknown model, {@link IllegalArgumentException} for a bad plan or a version the
     * model does not have, {@link ConflictException} when an experiment is already open or a version is not deployed.
     */
    public State start(String model, ExperimentPlan plan, String actor) {
        plan.validated();
        Model m = registry.model(model);
        Set<Integer> known = registry.versions(m).stream().map(ModelVersion::getNumber).collect(Collectors.toSet());
        for (int version : plan.versions()) {
            if (!known.contains(version)) {
                throw new IllegalArgumentException("model '" + model + "' has no version " + version);
            }
        }
        List<RoutingVariant> arms = plan.percentages().stream().map(v -> new RoutingVariant(v.version(), v.weight())).toList();
        Experiment saved;
        try {
            saved = tx.execute(s -> {
                requireNoneOpen(m);
                return repository.saveAndFlush(new Experiment(m, arms, plan.metric(), plan.alpha(), plan.minSamplePerVariant(),
                        plan.plannedPerVariant(), plan.autoPromote(), actor));
            });
        } catch (DataIntegrityViolationException e) {
            throw new ConflictException("model '" + model + "' already has an open experiment (started concurrently); "
                    + "promote or stop it first");
        }
        long id = Objects.requireNonNull(saved).getId();
        // counters exist before the new weights route the first request
        live.reload();
        try {
            routing.save(model, policyWith(model, plan.percentages()), actor);
        } catch (RuntimeException e) {
            tx.executeWithoutResult(s -> repository.deleteById(id));
            live.reload();
            throw e;
        }
        audit.record(actor, STARTED, model, null, "experiment " + id + ": " + plan.describe());
        return get(model, id);
    }

    /** The model's experiments, newest first. */
    public List<Experiment> list(String model) {
        Model m = registry.model(model);
        return Objects.requireNonNull(tx.execute(s -> repository.findByModelOrderByIdDesc(m)));
    }

    /** One experiment with its statistics; 404 when the model has no experiment with this id. */
    public State get(String model, long id) {
        Experiment e = find(model, id);
        if (e.getStatus().open()) {
            LiveExperiment running = live.byId(id);
            return new State(e, running == null ? null : running.report());
        }
        return new State(e, e.getSummary() == null ? null : JSON.readValue(e.getSummary(), ExperimentReport.class));
    }

    /**
     * Sets {@code version}'s weight to 100 (the verdict's winner when null) and ends the experiment as PROMOTED.
     * {@link IllegalArgumentException} for a version that is not a variant, {@link ConflictException} when the
     * experiment has ended, has no winner and none was named, or the version is not deployed.
     */
    public State promote(String model, long id, Integer version, String actor) {
        Experiment e = find(model, id);
        requireOpen(e);
        LiveExperiment running = live.byId(id);
        ExperimentReport report = running == null ? null : running.report();
        Integer chosen = version != null ? version
                : e.getWinner() != null ? e.getWinner()
                : report != null ? report.verdict().winner() : null;
        if (chosen == null) {
            throw new ConflictException("experiment " + id + " has no winner yet (" + (report == null ? "no statistics"
                    : report.verdict().text()) + "); name the version to promote: {\"version\": 2}");
        }
        int promoted = chosen;
        if (e.getVariants().stream().noneMatch(v -> v.getVersion() == promoted)) {
            throw new IllegalArgumentException("version " + promoted + " is not a variant of experiment " + id + " (variants: "
                    + e.getVariants().stream().map(v -> Integer.toString(v.getVersion())).collect(Collectors.joining(", ")) + ")");
        }
        List<RoutingPolicy.Variant> weights = new ArrayList<>();
        for (RoutingVariant v : e.getVariants()) {
            weights.add(new RoutingPolicy.Variant(v.getVersion(), v.getVersion() == promoted ? 100 : 0));
        }
        routing.save(model, policyWith(model, weights), actor);
        end(model, id, ExperimentStatus.PROMOTED, promoted, actor, report, PROMOTED,
                "version " + promoted + " promoted to 100%" + (version == null ? " (the verdict's winner)" : ""));
        return get(model, id);
    }

    /** Ends the experiment as STOPPED; the routing stays as it is. {@link ConflictException} when it has ended. */
    public State stop(String model, long id, String actor) {
        Experiment e = find(model, id);
        requireOpen(e);
        LiveExperiment running = live.byId(id);
        end(model, id, ExperimentStatus.STOPPED, e.getWinner(), actor, running == null ? null : running.report(), STOPPED,
                "stopped without promotion; routing left as it is");
        return get(model, id);
    }

    /** Marks an open experiment CONCLUDED with the verdict's winner (or none); false when it was no longer RUNNING. */
    boolean conclude(long id, ExperimentReport.VerdictFigures verdict) {
        Optional<Experiment> concluded = Objects.requireNonNull(tx.execute(s -> repository.findById(id)
                .filter(e -> e.getStatus() == ExperimentStatus.RUNNING)
                .map(e -> {
                    e.conclude(verdict.winner());
                    Experiment saved = repository.saveAndFlush(e);
                    audit.record(ACTOR, CONCLUDED, e.getModel().getName(), verdict.winner(), "experiment " + id + ": " + verdict.text()
                            + (verdict.pValue() == null ? "" : " (p = " + verdict.pValue() + ")"));
                    return saved;
                })));
        return concluded.isPresent();
    }

    private void end(String model, long id, ExperimentStatus status, Integer winner, String actor, ExperimentReport report,
                     String action, String detail) {
        String summary = report == null ? null : JSON.writeValueAsString(report);
        tx.executeWithoutResult(s -> {
            Experiment row = repository.findById(id).orElseThrow(() -> new NotFoundException("experiment " + id + " does not exist"));
            requireOpen(row);
            row.end(status, winner, actor, summary);
            repository.saveAndFlush(row);
            audit.record(actor, action, model, winner, "experiment " + id + ": " + detail);
        });
        live.reload();
        events.publishEvent(new RegistryChanged(model, "experiment " + id + " " + status.name().toLowerCase()));
    }

    private Experiment find(String model, long id) {
        Model m = registry.model(model);
        return Objects.requireNonNull(tx.execute(s -> repository.findByIdAndModel(id, m))).orElseThrow(() ->
                new NotFoundException("model '" + model + "' has no experiment " + id));
    }

    private void requireNoneOpen(Model m) {
        for (Experiment e : repository.findByModelOrderByIdDesc(m)) {
            if (e.getStatus().open()) {
                throw new ConflictException("model '" + m.getName() + "' already has an open experiment (" + e.getId() + ", "
                        + e.getStatus() + "); promote or stop it first");
            }
        }
    }

    private static void requireOpen(Experiment e) {
        if (!e.getStatus().open()) {
            throw new ConflictException("experiment " + e.getId() + " has ended (" + e.getStatus() + ")");
        }
    }

    /** The model's current policy with these variants (sticky header, shadow and guard kept). */
    private RoutingPolicy policyWith(String model, List<RoutingPolicy.Variant> variants) {
        Optional<RoutingPolicy> current = routing.find(model).map(StoredPolicy::policy);
        return new RoutingPolicy(variants, current.map(RoutingPolicy::stickyHeader).orElse(null),
                current.map(RoutingPolicy::shadow).orElse(null), current.map(RoutingPolicy::guard).orElse(null));
    }
}
