package dev.otimo.registry;

import ai.onnxruntime.OrtException;
import dev.otimo.config.OtimoProperties;
import dev.otimo.onnx.InvalidModelException;
import dev.otimo.onnx.ModelInfo;
import dev.otimo.onnx.ModelInspector;
import dev.otimo.runtime.ModelSession;
import dev.otimo.runtime.OrtRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The registry's transactions: models, versions (validated before they become READY) and
 * deployments. Blocking: callers on the event loop wrap calls in {@code boundedElastic}.
 */
@Service
public class RegistryService {

    private static final Logger log = LoggerFactory.getLogger(RegistryService.class);
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private final ModelRepository models;
    private final ModelVersionRepository versions;
    private final DeploymentRepository deployments;
    private final ModelRoutingRepository routings;
    private final ArtifactStore store;
    private final OrtRuntime runtime;
    private final OtimoProperties properties;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final AuditEntryRepository audit;

    public RegistryService(ModelRepository models, ModelVersionRepository versions, DeploymentRepository deployments,
                           ModelRoutingRepository routings, ArtifactStore store, OrtRuntime runtime, OtimoProperties properties,
                           TransactionTemplate tx, ApplicationEventPublisher events, AuditEntryRepository audit) {
        this.models = models;
        this.versions = versions;
        this.deployments = deployments;
        this.routings = routings;
        this.store = store;
        this.runtime = runtime;
        this.properties = properties;
        this.tx = tx;
        this.events = events;
        this.audit = audit;
    }

    /** Creates a model; audited as {@code model.create} by {@code actor}. */
    public Model createModel(String actor, String name, String description) {
        if (name == null || !MODEL_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("model name '" + name + "' must be 1-128 characters of letters, digits, '_', '.', '-', starting with a letter or digit");
        }
        if (description != null && description.length() > 2000) {
            throw new IllegalArgumentException("description must be at most 2000 characters");
        }
        Model saved = tx.execute(s -> {
            if (models.findByName(name).isPresent()) {
                throw new ConflictException("model '" + name + "' already exists");
            }
            Model created = models.saveAndFlush(new Model(name, description));
            audit.save(new AuditEntry(actor, "model.create", name, null, description));
            return created;
        });
        events.publishEvent(new RegistryChanged(name, "model created"));
        return saved;
    }

    public List<Model> listModels() {
        return models.findAll(org.springframework.data.domain.Sort.by("name"));
    }

    public Model model(String name) {
        return models.findByName(name).orElseThrow(() -> new NotFoundException("model '" + name + "' does not exist"));
    }

    public Optional<Model> findModel(String name) {
        return models.findByName(name);
    }

    public List<ModelVersion> versions(Model model) {
        return versions.findByModelOrderByNumberAsc(model);
    }

    public ModelVersion version(String modelName, int number) {
        Model m = model(modelName);
        return versions.findByModelAndNumber(m, number)
                .orElseThrow(() -> new NotFoundException("model '" + modelName + "' has no version " + number));
    }

    /** Deletes a model and its versions; audited as {@code model.delete}. */
    public void deleteModel(String actor, String name) {
        Model m = model(name);
        List<ModelVersion> all = versions(m);
        tx.executeWithoutResult(s -> {
            if (!deployments.findByVersionModel(m).isEmpty()) {
                throw new ConflictException("model '" + name + "' has deployed versions; undeploy them first");
            }
            models.delete(models.findById(m.getId()).orElseThrow());
            audit.save(new AuditEntry(actor, "model.delete", name, null, all.size() + " version(s)"));
        });
        all.forEach(v -> deleteArtifactIfUnused(v.getSha256()));
        events.publishEvent(new RegistryChanged(name, "model deleted"));
    }

    /**
     * Registers a model file received into {@code received} (whose sha256 and size the caller
     * computed while streaming it). The version is numbered first, then validated: it parses as
     * ONNX, its opset is supported, it has no external data and a session loads. Only then is it
     * READY; otherwise it is FAILED with the reason and {@link InvalidModelException} is thrown.
     */
    public ModelVersion registerVersion(String actor, String modelName, Path received, String sha256, long size,
                                        Integer parentVersion, String recipeJson) {
        return registerVersion(actor, modelName, received, sha256, size, parentVersion, recipeJson, null);
    }

    /**
     * As above, storing a compression report with the version when it becomes READY. Audited as
     * {@code version.upload} (or {@code version.compressed} when it has a parent) once READY, and as
     * {@code version.rejected} with the reason when validation refuses it.
     */
    public ModelVersion registerVersion(String actor, String modelName, Path received, String sha256, long size,
                                        Integer parentVersion, String recipeJson, String reportJson) {
        ModelVersion created = tx.execute(s -> {
            Model m = models.lockByName(modelName)
                    .orElseThrow(() -> new NotFoundException("model '" + modelName + "' does not exist"));
            ModelVersion v = new ModelVersion(m, versions.maxNumber(m) + 1);
            v.validating(sha256, size);
            if (parentVersion != null) {
                v.lineage(parentVersion, recipeJson);
            }
            return versions.saveAndFlush(v);
        });
        try {
            if (size == 0) {
                throw new InvalidModelException("the uploaded file is empty");
            }
            ModelInfo info = validate(received);
            store.put(sha256, received);
            ModelVersion ready = tx.execute(s -> {
                ModelVersion v = versions.findById(created.getId()).orElseThrow();
                v.ready(SignatureJson.write(info.signature()), info.opset(), info.producer());
                if (reportJson != null) {
                    v.report(reportJson);
                }
                ModelVersion saved = versions.saveAndFlush(v);
                audit.save(new AuditEntry(actor, parentVersion == null ? "version.upload" : "version.compressed", modelName,
                        saved.getNumber(), "status READY, sha256 " + sha256 + ", " + size + " bytes"
                        + (parentVersion == null ? "" : ", from version " + parentVersion)));
                return saved;
            });
            events.publishEvent(new RegistryChanged(modelName, "version " + ready.getNumber() + " registered"));
            return ready;
        } catch (InvalidModelException e) {
            markFailed(actor, created, e.getMessage());
            throw new InvalidModelException("model '" + modelName + "' version " + created.getNumber()
                    + " rejected: " + e.getMessage(), e);
        } catch (IOException e) {
            markFailed(actor, created, "storing the artifact failed: " + e.getMessage());
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(received);
        }
    }

    /**
     * The checks of an uploaded file: {@link ModelInspector} (external data, sizes, the constants
     * budget) and then a session load, without graph optimisation so that nothing is constant-folded
     * at upload time.
     */
    private ModelInfo validate(Path received) throws IOException {
        ModelInfo info = ModelInspector.inspect(received, properties.validation().maxConstantBytes().toBytes());
        try (ModelSession ignored = runtime.openForValidation(received, info.signature())) {
            // loading the session is the check
        } catch (OrtException e) {
            throw new InvalidModelException("ONNX Runtime cannot load the model: " + firstLine(e.getMessage()), e);
        }
        return info;
    }

    private void markFailed(String actor, ModelVersion created, String reason) {
        tx.executeWithoutResult(s -> {
            ModelVersion v = versions.findById(created.getId()).orElseThrow();
            v.failed(reason);
            versions.save(v);
            audit.save(new AuditEntry(actor, "version.rejected", created.getModel().getName(), created.getNumber(),
                    "sha256 " + created.getSha256() + ": " + reason));
        });
        events.publishEvent(new RegistryChanged(created.getModel().getName(), "version " + created.getNumber() + " failed"));
    }

    /** Deletes a version that is neither deployed nor routed to; audited as {@code version.delete}. */
    public void deleteVersion(String actor, String modelName, int number) {
        ModelVersion v = version(modelName, number);
        tx.executeWithoutResult(s -> {
            if (deployments.findByVersion(v).isPresent()) {
                throw new ConflictException("model '" + modelName + "' version " + number + " is deployed; undeploy it first");
            }
            routings.findByModel(v.getModel()).ifPresent(r -> {
                boolean routed = r.getVariants().stream().anyMatch(x -> x.getVersion() == number)
                        || Integer.valueOf(number).equals(r.getShadowVersion());
                if (routed) {
                    throw new ConflictException("model '" + modelName + "' version " + number
                            + " is named by the model's routing policy; change the routing first");
                }
            });
            versions.delete(versions.findById(v.getId()).orElseThrow());
            audit.save(new AuditEntry(actor, "version.delete", modelName, number, "sha256 " + v.getSha256()));
        });
        deleteArtifactIfUnused(v.getSha256());
        events.publishEvent(new RegistryChanged(modelName, "version " + number + " deleted"));
    }

    public Optional<Deployment> deployment(String modelName, int number) {
        return deployments.findByVersion(version(modelName, number));
    }

    public List<Deployment> allDeployments() {
        return deployments.findAll();
    }

    /** Creates or replaces the deployment of a READY version; audited as {@code deployment.update}. */
    public Deployment deploy(String actor, String modelName, int number, DeploymentSpec spec) {
        DeploymentSpec checked = spec.validated();
        Deployment saved = tx.execute(s -> {
            ModelVersion v = version(modelName, number);
            if (v.getStatus() != VersionStatus.READY) {
                throw new ConflictException("model '" + modelName + "' version " + number + " is " + v.getStatus()
                        + (v.getStatusReason() == null ? "" : " (" + v.getStatusReason() + ")") + "; only READY versions can be deployed");
            }
            Deployment d = deployments.findByVersion(v).orElseGet(() -> new Deployment(v));
            d.configure(checked.device(), checked.instances(), checked.intraOpThreads(), checked.batching());
            Deployment stored = deployments.saveAndFlush(d);
            audit.save(new AuditEntry(actor, "deployment.update", modelName, number, "device " + checked.device()
                    + ", instances " + checked.instances() + ", intraOpThreads " + checked.intraOpThreads()
                    + ", batching " + checked.batching()));
            return stored;
        });
        events.publishEvent(new RegistryChanged(modelName, "version " + number + " deployed"));
        return saved;
    }

    /** Removes a version's deployment; audited as {@code deployment.delete}. */
    public void undeploy(String actor, String modelName, int number) {
        ModelVersion v = version(modelName, number);
        tx.executeWithoutResult(s -> {
            Deployment d = deployments.findByVersion(v).orElseThrow(() ->
                    new NotFoundException("model '" + modelName + "' version " + number + " is not deployed"));
            deployments.delete(d);
            audit.save(new AuditEntry(actor, "deployment.delete", modelName, number, null));
        });
        events.publishEvent(new RegistryChanged(modelName, "version " + number + " undeployed"));
    }

    public Path artifactPath(ModelVersion v) throws IOException {
        return store.localPath(v.getSha256());
    }

    public java.io.InputStream openArtifact(ModelVersion v) throws IOException {
        return store.open(v.getSha256());
    }

    /** Whether a version's artifact has these bytes. */
    public boolean isArtifactInUse(String sha256) {
        return versions.countBySha256(sha256) > 0;
    }

    private void deleteArtifactIfUnused(String sha256) {
        if (sha256 == null || versions.countBySha256(sha256) > 0) {
            return;
        }
        try {
            store.delete(sha256);
        } catch (IOException e) {
            log.warn("could not delete artifact {}: {}", sha256, e.getMessage());
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.debug("could not delete {}", p, e);
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
