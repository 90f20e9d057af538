package dev.otimo.serving;

import dev.otimo.batching.BatchingPolicy;
import dev.otimo.config.OtimoProperties;
import dev.otimo.observability.DeploymentMetrics;
import dev.otimo.registry.Deployment;
import dev.otimo.registry.DeploymentSpec;
import dev.otimo.registry.Model;
import dev.otimo.registry.ModelVersion;
import dev.otimo.registry.RegistryChanged;
import dev.otimo.registry.RegistryService;
import dev.otimo.registry.SignatureJson;
import dev.otimo.registry.VersionStatus;
import dev.otimo.runtime.Device;
import dev.otimo.runtime.ModelSession;
import dev.otimo.runtime.OrtRuntime;
import dev.otimo.runtime.Signature;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Brings the live deployments in line with the registry: loads and warms up new or changed
 * deployments, swaps them into the serving table atomically, then drains and closes the ones they
 * replace. Runs on one dedicated thread; the hot path only reads {@link #table()}.
 */
@Component
public class DeploymentManager implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeploymentManager.class);

    private final RegistryService registry;
    private final OrtRuntime runtime;
    private final OtimoProperties properties;
    private final TransactionTemplate tx;
    private final MeterRegistry meters;
    private final ExecutorService deployer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "otimo-deployer");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<Map<String, ServedModel>> table = new AtomicReference<>(Map.of());
    private final AtomicReference<CompletableFuture<Void>> queued = new AtomicReference<>();
    private final Map<Long, Live> live = new HashMap<>();
    private volatile boolean loaded;
    private volatile boolean running;
    private volatile boolean started;

    private record Live(LiveDeployment deployment, DeploymentMetrics metrics) {
    }

    public DeploymentManager(RegistryService registry, OrtRuntime runtime, OtimoProperties properties,
                             TransactionTemplate tx, MeterRegistry meters) {
        this.registry = registry;
        this.runtime = runtime;
        this.properties = properties;
        this.tx = tx;
        this.meters = meters;
        Gauge.builder("otimo.sessions.live", live, m -> table().values().stream()
                        .mapToLong(s -> s.servingDeployments().size()).sum())
                .description("loaded model sessions").register(meters);
    }

    /** The serving table: model name to its versions and live deployments. Never blocks. */
    public Map<String, ServedModel> table() {
        return table.get();
    }

    public Optional<ServedModel> model(String name) {
        return Optional.ofNullable(table.get().get(name));
    }

    /**
     * True once the application has started (the demo model, when enabled, is deployed by then)
     * and every deployment in the registry has been loaded (or has failed) at least once, as long
     * as no deployment has lost a runner thread since.
     */
    public boolean isReady() {
        return loaded && running && started && !anyRunnerStopped();
    }

    /** True when a deployment that was serving has lost a runner thread: it answers no more requests. */
    public boolean anyRunnerStopped() {
        for (ServedModel model : table.get().values()) {
            for (ServedModel.VersionEntry v : model.versions().values()) {
                if (v.deployment() != null && v.deployment().runnerStopped()) {
                    return true;
                }
            }
        }
        return false;
    }

    @EventListener(org.springframework.boot.context.event.ApplicationReadyEvent.class)
    public void onApplicationReady() {
        reconcile().thenRun(() -> started = true);
    }

    @EventListener
    public void onRegistryChanged(RegistryChanged event) {
        reconcile();
    }

    /**
     * Schedules a reconcile; the future completes when the serving table reflects the registry.
     * Requests made while one is still waiting to start share it: it reads the registry after all
     * of them (notifications from other replicas and the periodic reconcile come in bursts).
     */
    public CompletableFuture<Void> reconcile() {
        while (true) {
            CompletableFuture<Void> waiting = queued.get();
            if (waiting != null) {
                return waiting.copy();
            }
            CompletableFuture<Void> next = new CompletableFuture<>();
            if (queued.compareAndSet(null, next)) {
                try {
                    deployer.execute(() -> {
                        queued.compareAndSet(next, null);
                        try {
                            reconcileNow();
                            next.complete(null);
                        } catch (Throwable e) {
                            next.completeExceptionally(e);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    queued.compareAndSet(next, null);
                    next.completeExceptionally(e);
                }
                return next.copy();
            }
        }
    }

    private void reconcileNow() {
        Snapshot snapshot = Objects.requireNonNull(tx.execute(s -> readRegistry()));
        List<Live> retired = new ArrayList<>();
        Map<Long, Live> next = new HashMap<>();
        for (Map.Entry<Long, Deployment> wanted : snapshot.deployments.entrySet()) {
            Deployment d = wanted.getValue();
            Live current = live.get(wanted.getKey());
            if (current != null && current.deployment().configuredAt().equals(d.getUpdatedAt())) {
                next.put(wanted.getKey(), current);
                continue;
            }
            next.put(wanted.getKey(), load(d));
            if (current != null) {
                retired.add(current);
            }
        }
        live.forEach((id, l) -> {
            if (!next.containsKey(id)) {
                retired.add(l);
            }
        });
        live.clear();
        live.putAll(next);
        table.set(buildTable(snapshot));
        loaded = true;
        for (Live old : retired) {
            log.info("draining {} v{}", old.deployment().model(), old.deployment().version());
            old.deployment().close();
            old.metrics().close();
        }
    }

    private record Snapshot(List<Model> models, Map<Long, List<ModelVersion>> versions, Map<Long, Deployment> deployments) {
    }

    private Snapshot readRegistry() {
        List<Model> models = registry.listModels();
        Map<Long, List<ModelVersion>> versions = new HashMap<>();
        for (Model m : models) {
            versions.put(m.getId(), registry.versions(m));
        }
        Map<Long, Deployment> deployments = new HashMap<>();
        for (Deployment d : registry.allDeployments()) {
            deployments.put(d.getVersion().getId(), d);
        }
        return new Snapshot(models, versions, deployments);
    }

    private Live load(Deployment d) {
        ModelVersion v = d.getVersion();
        String model = v.getModel().getName();
        DeploymentSpec spec = new DeploymentSpec(d.getDevice(), d.getInstances(), d.getIntraOpThreads(), d.batchingPolicy());
        Signature signature = SignatureJson.read(v.getSignature());
        long started = System.nanoTime();
        try {
            ModelSession session = runtime.open(registry.artifactPath(v), signature, Device.parse(spec.device()),
                    properties.runtime().sessionSettings().withIntraOpThreads(
                            spec.intraOpThreads() > 0 ? spec.intraOpThreads() : properties.runtime().intraOpThreads()));
            LiveDeployment[] holder = new LiveDeployment[1];
            DeploymentMetrics metrics = new DeploymentMetrics(meters, model, v.getNumber(),
                    () -> holder[0] == null ? 0 : holder[0].queueDepth());
            LiveDeployment deployment = LiveDeployment.serving(model, v.getNumber(), spec, d.getUpdatedAt(), session, metrics);
            holder[0] = deployment;
            WarmUp.run(deployment, properties.runtime().warmupRuns());
            log.info("deployed {} v{} on {} in {} ms (batching {})", model, v.getNumber(),
                    session.placement().describe(), (System.nanoTime() - started) / 1_000_000,
                    deployment.batches() ? "on" : "off");
            return new Live(deployment, metrics);
        } catch (Exception | LinkageError e) {
            log.error("deploying {} v{} failed: {}", model, v.getNumber(), e.toString());
            return new Live(LiveDeployment.failed(model, v.getNumber(), spec, d.getUpdatedAt(), signature,
                    e.getMessage() == null ? e.toString() : e.getMessage()), new DeploymentMetrics(meters, model, v.getNumber(), () -> 0));
        }
    }

    private Map<String, ServedModel> buildTable(Snapshot snapshot) {
        Map<String, ServedModel> result = new HashMap<>();
        for (Model m : snapshot.models) {
            Map<Integer, ServedModel.VersionEntry> entries = new HashMap<>();
            for (ModelVersion v : snapshot.versions.getOrDefault(m.getId(), List.of())) {
                Live l = live.get(v.getId());
                Signature sig = v.getStatus() == VersionStatus.READY ? SignatureJson.read(v.getSignature()) : null;
                entries.put(v.getNumber(), new ServedModel.VersionEntry(v.getNumber(), v.getStatus(), sig,
                        l == null ? null : l.deployment()));
            }
            result.put(m.getName(), ServedModel.of(m.getName(), entries));
        }
        return Map.copyOf(result);
    }

    /** A default spec for deployments that name nothing: configured device, one instance, default policy. */
    public DeploymentSpec defaultSpec() {
        BatchingPolicy policy = properties.batching();
        return new DeploymentSpec(properties.defaultDevice(), 1, 0, policy);
    }

    @Override
    public void start() {
        running = true;
        reconcile().exceptionally(e -> {
            log.error("initial load of deployments failed", e);
            return null;
        });
    }

    /** Drains and closes every deployment; a later {@link #start()} loads them again. */
    @Override
    public void stop() {
        running = false;
        CompletableFuture.runAsync(() -> {
            table.set(Map.of());
            for (Live l : live.values()) {
                l.deployment().close();
                l.metrics().close();
            }
            live.clear();
        }, deployer).join();
    }

    @jakarta.annotation.PreDestroy
    void shutdownDeployer() {
        deployer.shutdown();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the web server stopped taking requests, so queued work finishes first. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
