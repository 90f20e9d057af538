package dev.otimo.compression;

import dev.otimo.inference.InferRequest;
import dev.otimo.api.v2.V2RequestDecoder;
import dev.otimo.config.OtimoProperties;
import dev.otimo.observability.AuditLog;
import dev.otimo.registry.ArtifactStore;
import dev.otimo.registry.ConflictException;
import dev.otimo.registry.Model;
import dev.otimo.registry.ModelVersion;
import dev.otimo.registry.NotFoundException;
import dev.otimo.registry.RegistryService;
import dev.otimo.registry.VersionStatus;
import dev.otimo.runtime.DataType;
import dev.otimo.runtime.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compression as jobs: a request is checked at once (methods, options, calibration, parent
 * READY), stored as QUEUED and run by a bounded worker pool: read the parent, apply the recipe,
 * evaluate the child against the parent side by side, register the child as a new version with
 * lineage and report. A job interrupted by a restart is marked FAILED; no half version is ever
 * READY (the registry validates the child before it becomes READY).
 */
@Service
public class CompressionService {

    private static final Logger log = LoggerFactory.getLogger(CompressionService.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RegistryService registry;
    private final CompressionJobRepository jobs;
    private final CalibrationSetRepository calibrationSets;
    private final TrafficReservoir reservoir;
    private final TransactionTemplate tx;
    private final OtimoProperties properties;
    private final TransformRegistry transforms = TransformRegistry.standard();
    private final ThreadPoolExecutor workers;
    private final Path calibrationDir;
    private final ArtifactStore store;
    private final AuditLog audit;

    /**
     * The parts of a compression request.
     *
     * @param keepIfNoGain register the child even when it is neither faster nor smaller than the parent
     */
    public record Request(Recipe recipe, List<Map<String, Object>> recipeJson, Calibration calibration,
                          boolean keepIfNoGain) {

        public Request(Recipe recipe, List<Map<String, Object>> recipeJson, Calibration calibration) {
            this(recipe, recipeJson, calibration, false);
        }
    }

    /** Thrown between two steps or evaluation runs of a job that was cancelled. */
    private static final class JobCancelled extends RuntimeException {
        JobCancelled() {
            super("cancelled", null, false, false);
        }
    }

    /** Jobs asked to stop, checked by their worker between steps and evaluation runs. */
    private final java.util.Set<String> cancelled = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Where calibration samples come from: the model's traffic, or an uploaded set. */
    public record Calibration(String source, Integer samples, String uploadId) {
    }

    public CompressionService(RegistryService registry, CompressionJobRepository jobs,
                              CalibrationSetRepository calibrationSets, TrafficReservoir reservoir,
                              TransactionTemplate tx, OtimoProperties properties, ArtifactStore store, AuditLog audit)
            throws IOException {
        this.registry = registry;
        this.audit = audit;
        this.store = store;
        this.jobs = jobs;
        this.calibrationSets = calibrationSets;
        this.reservoir = reservoir;
        this.tx = tx;
        this.properties = properties;
        this.calibrationDir = Files.createDirectories(properties.dataDir().resolve("calibration"));
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(properties.compression().workers(), properties.compression().workers(),
                1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(properties.compression().queueCapacity()), r -> {
                    Thread t = new Thread(r, "otimo-compression-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Jobs left QUEUED or RUNNING by a previous process cannot be resumed: they are marked FAILED. */
    @EventListener(ApplicationReadyEvent.class)
    public void failInterruptedJobs() {
        tx.executeWithoutResult(s -> jobs.findByStatusIn(List.of(JobStatus.QUEUED, JobStatus.RUNNING)).forEach(job -> {
            job.failed("interrupted by a server restart at step '" + job.getStep() + "'; submit the compression again");
            jobs.save(job);
        }));
    }

    /**
     * Checks and queues a compression.
     *
     * @throws CompressionException (400) for bad methods, options or calibration
     * @throws ConflictException    (409) when the parent is not READY
     */
    public CompressionJob submit(String actor, String modelName, int parentVersion, Request request) {
        ModelVersion parent = registry.version(modelName, parentVersion);
        if (parent.getStatus() != VersionStatus.READY) {
            throw new ConflictException("model '" + modelName + "' version " + parentVersion + " is "
                    + parent.getStatus() + "; only READY versions can be compressed");
        }
        Calibration calibration = request.calibration();
        boolean hasCalibration = false;
        if (calibration != null && calibration.source() != null) {
            switch (calibration.source()) {
                case "traffic" -> hasCalibration = reservoir.size(modelName) > 0;
                case "upload" -> {
                    if (calibration.uploadId() == null) {
                        throw new CompressionException("calibration source 'upload' needs an uploadId from POST /api/v1/models/"
                                + modelName + "/calibration-sets");
                    }
                    CalibrationSet set = calibrationSets.findById(calibration.uploadId())
                            .filter(c -> c.getModel().getName().equals(modelName))
                            .orElseThrow(() -> new CompressionException("calibration set '" + calibration.uploadId()
                                    + "' does not exist for model '" + modelName + "'"));
                    hasCalibration = set.getSamples() > 0;
                }
                default -> throw new CompressionException("calibration source must be 'traffic' or 'upload', was '"
                        + calibration.source() + "'");
            }
            if (calibration.samples() != null && (calibration.samples() < 1 || calibration.samples() > 100_000)) {
                throw new CompressionException("calibration.samples must be between 1 and 100000, was " + calibration.samples());
            }
        }
        request.recipe().check(transforms, hasCalibration);
        checkParentModel(parent, request.recipe());
        Model model = parent.getModel();
        CompressionJob job = tx.execute(s -> {
            CompressionJob saved = jobs.saveAndFlush(new CompressionJob(UUID.randomUUID().toString(), model,
                    parentVersion, JSON.writeValueAsString(request.recipeJson()),
                    calibration == null ? null : JSON.writeValueAsString(calibration)));
            audit.record(actor, "compression.submit", modelName, parentVersion, "job " + saved.getId() + ": "
                    + request.recipe().describe() + (calibration == null ? "" : ", calibration " + saved.getCalibration()));
            return saved;
        });
        try {
            workers.execute(() -> run(actor, job.getId(), modelName, parentVersion, request, calibration));
        } catch (RejectedExecutionException e) {
            markFailed(job.getId(), "the compression queue is full");
            throw new dev.otimo.batching.QueueRejectedException("compression queue is full ("
                    + properties.compression().queueCapacity() + " jobs waiting); retry later", 30);
        }
        return job;
    }

    /**
     * Lets each method refuse the parent model itself, e.g. an int8 method an already-quantized graph. A parent
     * that cannot be read or parsed is left to the job, which fails saying why.
     */
    private void checkParentModel(ModelVersion parent, Recipe recipe) {
        ai.onnx.proto.OnnxMl.ModelProto model;
        try (InputStream in = registry.openArtifact(parent)) {
            model = OnnxModels.parse(in.readAllBytes());
        } catch (IOException | RuntimeException e) {
            log.debug("version {} not checked before queuing: {}", parent.getNumber(), e.toString());
            return;
        }
        Integer floatParent = parent.getParentVersion();
        try {
            recipe.checkModel(transforms, model, floatParent == null ? null : "version " + floatParent);
        } catch (CompressionException e) {
            throw new CompressionException("model '" + parent.getModel().getName() + "' version " + parent.getNumber()
                    + ": " + e.getMessage());
        }
    }

    /**
     * Cancels a queued or running job: it is marked CANCELLED at once and its worker stops at the next step
     * or evaluation run, registering nothing.
     *
     * @throws NotFoundException (404) for an unknown job
     * @throws ConflictException (409) for a job that has already finished
     */
    public CompressionJob cancel(String actor, String id) {
        CompressionJob job = tx.execute(s -> {
            CompressionJob j = jobs.lockById(id).orElseThrow(() -> new NotFoundException("job '" + id + "' does not exist"));
            if (j.getStatus().finished()) {
                throw new ConflictException("job '" + id + "' has already finished (" + j.getStatus() + ")");
            }
            j.cancelled(actor);
            CompressionJob saved = jobs.save(j);
            audit.record(actor, "compression.cancel", j.getModel().getName(), j.getParentVersion(),
                    "job " + id + " at step '" + j.getStep() + "'");
            return saved;
        });
        cancelled.add(id);
        return job;
    }

    public CompressionJob job(String id) {
        return jobs.findById(id).orElseThrow(() -> new NotFoundException("job '" + id + "' does not exist"));
    }

    public List<CompressionJob> jobs(String modelName) {
        return jobs.findByModelOrderByCreatedAtDesc(registry.model(modelName));
    }

    /**
     * Stores an uploaded calibration set (JSON lines of v2 inference requests) for a model, taking
     * ownership of {@code lines}: every line is checked, in bounded memory, then the bytes go to the
     * artifact store under {@code sha256} and the set is recorded in the database, where every
     * replica finds it.
     */
    public CalibrationSet storeCalibrationSet(String actor, String modelName, Path lines, String sha256, long size) throws IOException {
        try {
            Model model = registry.model(modelName);
            int count = 0;
            try (JsonLines reader = calibrationLines(Files.newInputStream(lines))) {
                byte[] line;
                while ((line = reader.next()) != null) {
                    if (JsonLines.isBlank(line)) {
                        continue;
                    }
                    try {
                        V2RequestDecoder.decode(line, -1);
                    } catch (RuntimeException e) {
                        throw new CompressionException("calibration line " + reader.number() + " is not a v2 inference request: "
                                + e.getMessage());
                    }
                    count++;
                }
            }
            if (count == 0) {
                throw new CompressionException("the calibration set holds no requests (one JSON v2 inference request per line)");
            }
            store.put(sha256, lines);
            int samples = count;
            return tx.execute(s -> {
                CalibrationSet saved = calibrationSets.saveAndFlush(
                        new CalibrationSet(UUID.randomUUID().toString(), model, samples, sha256, size));
                audit.record(actor, "calibration.upload", modelName, null, "set " + saved.getId() + ": " + samples
                        + " samples, sha256 " + sha256 + ", " + size + " bytes");
                return saved;
            });
        } finally {
            Files.deleteIfExists(lines);
        }
    }

    /** A model's calibration sets, newest first. */
    public List<CalibrationSet> calibrationSets(String modelName) {
        return calibrationSets.findByModelOrderByCreatedAtDesc(registry.model(modelName));
    }

    /**
     * Deletes a calibration set and, when no other set holds the same bytes, its bytes. Refused
     * while a queued or running job of the model reads it.
     */
    public CalibrationSet deleteCalibrationSet(String actor, String modelName, String id) {
        Model model = registry.model(modelName);
        CalibrationSet set = calibrationSets.findById(id).filter(c -> c.getModel().getId().equals(model.getId()))
                .orElseThrow(() -> new NotFoundException("model '" + modelName + "' has no calibration set '" + id + "'"));
        for (CompressionJob job : jobs.findByStatusIn(List.of(JobStatus.QUEUED, JobStatus.RUNNING))) {
            if (job.getModel().getId().equals(model.getId()) && job.getCalibration() != null && job.getCalibration().contains(id)) {
                throw new ConflictException("calibration set '" + id + "' is in use by job " + job.getId() + " (" + job.getStatus() + ")");
            }
        }
        tx.executeWithoutResult(s -> {
            calibrationSets.deleteById(id);
            audit.record(actor, "calibration.delete", modelName, null, "set " + id);
        });
        try {
            if (set.getSha256() == null) {
                Files.deleteIfExists(calibrationDir.resolve(id + ".jsonl"));
            } else if (calibrationSets.countBySha256(set.getSha256()) == 0 && !registry.isArtifactInUse(set.getSha256())) {
                store.delete(set.getSha256());
            }
        } catch (IOException e) {
            log.warn("could not delete the bytes of calibration set {}: {}", id, e.getMessage());
        }
        return set;
    }

    private JsonLines calibrationLines(InputStream in) {
        long cap = properties.compression().maxCalibrationLine().toBytes();
        return new JsonLines(in, (int) Math.min(cap, Integer.MAX_VALUE - 16));
    }

    private void run(String actor, String jobId, String modelName, int parentVersion, Request request,
                     Calibration calibration) {
        Recipe recipe = request.recipe();
        Path child = null;
        try {
            progress(jobId, 5, "reading version " + parentVersion);
            ModelVersion parent = registry.version(modelName, parentVersion);
            byte[] parentBytes;
            try (InputStream in = registry.openArtifact(parent)) {
                parentBytes = in.readAllBytes();
            }
            progress(jobId, 10, "collecting calibration samples");
            CalibrationData calibrationData = calibrationData(modelName, calibration);
            progress(jobId, 20, "applying " + recipe.describe());
            Recipe.Result result = recipe.apply(parentBytes, calibrationData, transforms);
            progress(jobId, 60, "evaluating against version " + parentVersion);
            CalibrationData fidelity = calibrationData.isEmpty() ? trafficSamples(modelName, 64) : calibrationData;
            Evaluator evaluator = new Evaluator(new Evaluator.Settings(2,
                    Duration.ofSeconds(properties.compression().evaluationSeconds()), 20, 256, 42));
            String evaluating = "evaluating against version " + parentVersion;
            int[] shown = {60};
            long[] shownAt = {System.nanoTime()};
            CompressionReport report = evaluator.evaluate(parentBytes, result, fidelity, fraction -> {
                requireNotCancelled(jobId);
                int percent = 60 + (int) (29 * fraction);
                if (percent > shown[0] && System.nanoTime() - shownAt[0] > 200_000_000L) {
                    shown[0] = percent;
                    shownAt[0] = System.nanoTime();
                    progress(jobId, percent, evaluating);
                }
            });
            if (report.noGain() && !request.keepIfNoGain()) {
                String json = JSON.writeValueAsString(report.withNote(
                        "no gain: not registered (send keepIfNoGain: true to keep such a result)"));
                progress(jobId, 95, "no gain: not registered");
                tx.executeWithoutResult(s -> jobs.lockById(jobId).filter(job -> job.getStatus() != JobStatus.CANCELLED)
                        .ifPresent(job -> {
                            job.succeeded(null, json);
                            jobs.save(job);
                        }));
                log.info("compression job {} of {} v{} ({}) gave no gain; nothing registered", jobId, modelName,
                        parentVersion, recipe.describe());
                return;
            }
            String reportJson = JSON.writeValueAsString(report);
            progress(jobId, 90, "registering the new version");
            child = Files.createTempFile(Files.createDirectories(properties.dataDir().resolve("uploads")), "compressed-", ".onnx");
            Files.write(child, result.model());
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(result.model()));
            Map<String, Object> lineage = new LinkedHashMap<>();
            lineage.put("parentVersion", parentVersion);
            lineage.put("recipe", recipe.steps().stream().map(st -> Map.of("method", st.method(), "options", st.options().asMap())).toList());
            lineage.put("describe", recipe.describe());
            lineage.put("jobId", jobId);
            ModelVersion created = registry.registerVersion(actor, modelName, child, sha, result.model().length, parentVersion,
                    JSON.writeValueAsString(lineage), reportJson);
            boolean kept = Boolean.TRUE.equals(tx.execute(s -> jobs.lockById(jobId)
                    .filter(job -> job.getStatus() != JobStatus.CANCELLED)
                    .map(job -> {
                        job.succeeded(created.getNumber(), reportJson);
                        jobs.save(job);
                        return true;
                    }).orElse(false)));
            if (!kept) {
                // cancelled while the version was being registered: it must not outlive the job
                registry.deleteVersion(AuditLog.SYSTEM, modelName, created.getNumber());
                log.info("compression job {} was cancelled while registering {} v{}; the version was removed", jobId,
                        modelName, created.getNumber());
                return;
            }
            log.info("compression job {} made {} v{} from v{} ({})", jobId, modelName, created.getNumber(), parentVersion,
                    recipe.describe());
        } catch (JobCancelled e) {
            log.info("compression job {} cancelled", jobId);
        } catch (Exception | LinkageError e) {
            log.warn("compression job {} failed: {}", jobId, e.toString());
            markFailed(jobId, e.getMessage() == null ? e.toString() : e.getMessage());
        } finally {
            cancelled.remove(jobId);
            if (child != null) {
                try {
                    Files.deleteIfExists(child);
                } catch (IOException ignored) {
                    // already moved into the artifact store
                }
            }
        }
    }

    private CalibrationData calibrationData(String modelName, Calibration calibration) throws IOException {
        if (calibration == null || calibration.source() == null) {
            return CalibrationData.none();
        }
        int limit = calibration.samples() == null ? 256 : calibration.samples();
        if (calibration.source().equals("traffic")) {
            return trafficSamples(modelName, limit);
        }
        CalibrationSet set = calibrationSets.findById(calibration.uploadId()).orElseThrow(() ->
                new CompressionException("calibration set '" + calibration.uploadId() + "' no longer exists"));
        List<Map<String, TensorData>> samples = new ArrayList<>();
        InputStream in = set.getSha256() == null ? Files.newInputStream(calibrationDir.resolve(set.getId() + ".jsonl"))
                : store.open(set.getSha256());
        try (JsonLines reader = calibrationLines(in)) {
            byte[] line;
            while ((line = reader.next()) != null && samples.size() < limit) {
                if (!JsonLines.isBlank(line)) {
                    InferRequest request = V2RequestDecoder.decode(line, -1);
                    toSample(request.inputs()).ifPresent(samples::add);
                }
            }
        }
        return new CalibrationData(samples, "upload " + calibration.uploadId());
    }

    private CalibrationData trafficSamples(String modelName, int limit) {
        List<Map<String, TensorData>> samples = new ArrayList<>();
        for (List<Tensor> inputs : reservoir.snapshot(modelName, limit)) {
            toSample(inputs).ifPresent(samples::add);
        }
        return samples.isEmpty() ? CalibrationData.none() : new CalibrationData(samples, "traffic");
    }

    /** Converts request inputs of the types calibration understands (FP32, INT64, INT32). */
    static java.util.Optional<Map<String, TensorData>> toSample(List<Tensor> inputs) {
        Map<String, TensorData> sample = new LinkedHashMap<>();
        for (Tensor t : inputs) {
            long[] shape = t.shape();
            int n = (int) t.elementCount();
            if (t.datatype() == DataType.FP32) {
                sample.put(t.name(), TensorData.ofFloats(t.toFloatArray(), shape));
            } else if (t.datatype() == DataType.INT64) {
                long[] v = new long[n];
                t.data().asLongBuffer().get(v);
                sample.put(t.name(), TensorData.ofLongs(v, shape));
            } else if (t.datatype() == DataType.INT32) {
                int[] v = new int[n];
                t.data().asIntBuffer().get(v);
                sample.put(t.name(), TensorData.ofInts(v, shape));
            } else {
                return java.util.Optional.empty();
            }
        }
        return java.util.Optional.of(sample);
    }

    /** Records progress, or stops the job when it was cancelled (here or on another replica). */
    private void progress(String jobId, int percent, String step) {
        requireNotCancelled(jobId);
        boolean stop = Boolean.TRUE.equals(tx.execute(s -> jobs.lockById(jobId).map(job -> {
            if (job.getStatus() == JobStatus.CANCELLED) {
                return true;
            }
            job.running(percent, step);
            jobs.save(job);
            return false;
        }).orElse(true)));
        if (stop) {
            throw new JobCancelled();
        }
    }

    private void requireNotCancelled(String jobId) {
        if (cancelled.contains(jobId)) {
            throw new JobCancelled();
        }
    }

    private void markFailed(String jobId, String error) {
        tx.executeWithoutResult(s -> jobs.lockById(jobId).filter(job -> job.getStatus() != JobStatus.CANCELLED).ifPresent(job -> {
            job.failed(error);
            jobs.save(job);
        }));
    }

    @jakarta.annotation.PreDestroy
    void stopWorkers() {
        workers.shutdownNow();
    }
}
