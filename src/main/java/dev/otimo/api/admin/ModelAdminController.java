package dev.otimo.api.admin;

import dev.otimo.api.ApiException;
import dev.otimo.api.ErrorBody;
import dev.otimo.config.OtimoProperties;
import dev.otimo.registry.Deployment;
import dev.otimo.registry.DeploymentSpec;
import dev.otimo.registry.Model;
import dev.otimo.registry.ModelVersion;
import dev.otimo.registry.RegistryService;
import dev.otimo.registry.SignatureJson;
import dev.otimo.registry.VersionStatus;
import dev.otimo.runtime.Signature;
import dev.otimo.runtime.TensorSpec;
import dev.otimo.serving.DeploymentManager;
import dev.otimo.serving.LiveDeployment;
import dev.otimo.serving.ServedModel;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Admin API for models, versions and deployments. Thin: parses, runs the registry's blocking
 * transactions on {@code boundedElastic}, and maps entities to views.
 */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "admin: models", description = "models, versions, artifacts and deployments")
@SecurityRequirement(name = "basic")
@ApiResponse(responseCode = "401", description = "missing or wrong credentials", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
public class ModelAdminController {

    private final RegistryService registry;
    private final DeploymentManager deployments;
    private final OtimoProperties properties;
    private final io.micrometer.core.instrument.MeterRegistry meters;
    private final dev.otimo.observability.VariantStats variantStats;
    private final Path uploads;
    private final AdminCalls calls;

    public ModelAdminController(RegistryService registry, DeploymentManager deployments, OtimoProperties properties,
                                io.micrometer.core.instrument.MeterRegistry meters,
                                dev.otimo.observability.VariantStats variantStats, AdminCalls calls) throws IOException {
        this.registry = registry;
        this.calls = calls;
        this.deployments = deployments;
        this.properties = properties;
        this.meters = meters;
        this.variantStats = variantStats;
        this.uploads = Files.createDirectories(properties.dataDir().resolve("uploads"));
        removeLeftovers(uploads);
    }

    /** Partial uploads of a process that stopped mid-upload: nothing can finish them now. */
    private static void removeLeftovers(Path uploads) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(uploads)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    @PostMapping(path = "/models", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a model")
    @ApiResponse(responseCode = "409", description = "name taken", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<AdminViews.ModelView> createModel(@RequestBody AdminViews.CreateModel body) {
        return calls.asActor(actor -> {
            if (body == null) {
                throw ApiException.badRequest("send {\"name\": ..., \"description\": ...}");
            }
            Model m = registry.createModel(actor, body.name(), body.description());
            return new AdminViews.ModelView(m.getName(), m.getDescription(), m.getCreatedAt(), List.of());
        }).flatMap(this::afterReconcile);
    }

    @GetMapping("/models")
    @Operation(summary = "List models")
    public Mono<List<AdminViews.ModelSummary>> listModels() {
        return calls.blocking(() -> registry.listModels().stream().map(m -> {
            List<ModelVersion> versions = registry.versions(m);
            List<Integer> deployed = deployments.model(m.getName()).map(s -> s.versions().values().stream()
                    .filter(v -> v.deployment() != null).map(ServedModel.VersionEntry::number).toList()).orElse(List.of());
            return new AdminViews.ModelSummary(m.getName(), m.getDescription(), m.getCreatedAt(), versions.size(),
                    versions.isEmpty() ? null : versions.get(versions.size() - 1).getNumber(), deployed);
        }).toList());
    }

    @GetMapping("/models/{model}")
    @Operation(summary = "A model with its versions")
    @ApiResponse(responseCode = "404", description = "unknown model", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<AdminViews.ModelView> getModel(@PathVariable String model) {
        return calls.blocking(() -> {
            Model m = registry.model(model);
            return new AdminViews.ModelView(m.getName(), m.getDescription(), m.getCreatedAt(),
                    registry.versions(m).stream().map(this::view).toList());
        });
    }

    @DeleteMapping("/models/{model}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a model and its versions (refused while any version is deployed)")
    @ApiResponse(responseCode = "409", description = "a version is deployed", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<Void> deleteModel(@PathVariable String model) {
        return calls.asActor(actor -> {
            registry.deleteModel(actor, model);
            return true;
        }).flatMap(this::afterReconcile).then();
    }

    @PostMapping(path = "/models/{model}/versions", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Upload a new version (multipart part 'file': the .onnx)", description =
            "The file is streamed to disk while hashed, then validated: it must parse as ONNX, use a supported opset, "
                    + "hold all weights inside the file, declare sane sizes and load in ONNX Runtime. State the file's digest "
                    + "to have it checked: a form field 'sha256' (hex), or Content-Digest / Repr-Digest (RFC 9530) among "
                    + "the file part's headers.")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
            schema = @Schema(implementation = UploadForm.class)))
    @ApiResponse(responseCode = "400", description = "not a servable ONNX model", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "413", description = "file over the upload limit", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "422", description = "the file does not match the digest the client stated", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<AdminViews.VersionView> upload(@PathVariable String model,
                                               @io.swagger.v3.oas.annotations.Parameter(hidden = true) ServerHttpRequest request) {
        long limit = properties.maxUploadSize().toBytes();
        return calls.blocking(() -> registry.model(model))
                .flatMap(m -> MultipartUpload.receive(request, uploads, "upload-", limit, "model file",
                        received -> calls.asActor(actor -> view(registry.registerVersion(actor, model, received.path(), received.sha256(),
                                received.size(), null, null)))))
                .flatMap(this::afterReconcile);
    }

    /** The multipart form of an upload, for the OpenAPI document. */
    @Schema(name = "VersionUpload")
    public record UploadForm(@Schema(type = "string", format = "binary", requiredMode = Schema.RequiredMode.REQUIRED) String file,
                             @Schema(description = "optional: the file's sha256 in hex; a mismatch is refused with 422") String sha256) {
    }

    @GetMapping("/models/{model}/versions/{version}")
    @Operation(summary = "A version: status, signature, lineage, report, deployment")
    @ApiResponse(responseCode = "404", description = "unknown model or version", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<AdminViews.VersionView> getVersion(@PathVariable String model, @PathVariable int version) {
        return calls.blocking(() -> view(registry.version(model, version)));
    }

    @DeleteMapping("/models/{model}/versions/{version}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a version (refused while deployed)")
    @ApiResponse(responseCode = "409", description = "deployed", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<Void> deleteVersion(@PathVariable String model, @PathVariable int version) {
        return calls.asActor(actor -> {
            registry.deleteVersion(actor, model, version);
            return true;
        }).flatMap(this::afterReconcile).then();
    }

    @GetMapping(path = "/models/{model}/versions/{version}/artifact", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    @Operation(summary = "The version's ONNX file")
    public Mono<ResponseEntity<Flux<DataBuffer>>> artifact(@PathVariable String model, @PathVariable int version) {
        return calls.blocking(() -> {
            ModelVersion v = registry.version(model, version);
            if (v.getStatus() != VersionStatus.READY) {
                throw new dev.otimo.registry.ConflictException("model '" + model + "' version " + version + " is " + v.getStatus()
                        + " and has no stored artifact");
            }
            return registry.artifactPath(v);
        }).map(path -> ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .header("Content-Disposition", ContentDisposition.attachment()
                        .filename(model + "-v" + version + ".onnx").build().toString())
                .body(DataBufferUtils.read(path, new org.springframework.core.io.buffer.DefaultDataBufferFactory(), 64 * 1024)));
    }

    @PutMapping(path = "/models/{model}/versions/{version}/deployment", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Deploy a READY version (or change its deployment); returns once it is loaded and warmed up")
    @ApiResponse(responseCode = "400", description = "bad device, instances or batching policy", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "409", description = "version not READY", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<AdminViews.DeploymentView> deploy(@PathVariable String model, @PathVariable int version,
                                                  @RequestBody(required = false) AdminViews.DeploymentRequest body) {
        DeploymentSpec defaults = deployments.defaultSpec();
        AdminViews.DeploymentRequest request = body == null ? new AdminViews.DeploymentRequest(null, null, null, null) : body;
        DeploymentSpec spec = new DeploymentSpec(
                Optional.ofNullable(request.device()).orElse(defaults.device()),
                Optional.ofNullable(request.instances()).orElse(defaults.instances()),
                Optional.ofNullable(request.intraOpThreads()).orElse(defaults.intraOpThreads()),
                request.batching() == null ? defaults.batching() : request.batching().over(defaults.batching()));
        return calls.asActor(actor -> registry.deploy(actor, model, version, spec))
                .flatMap(saved -> Mono.fromFuture(deployments.reconcile()))
                .then(calls.blocking(() -> deploymentView(model, version)));
    }

    @GetMapping("/models/{model}/versions/{version}/deployment")
    @Operation(summary = "A version's deployment and its live state")
    @ApiResponse(responseCode = "404", description = "not deployed", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<AdminViews.DeploymentView> getDeployment(@PathVariable String model, @PathVariable int version) {
        return calls.blocking(() -> deploymentView(model, version));
    }

    @GetMapping("/models/{model}/versions/{version}/deployment/stats")
    @Operation(summary = "Live figures of a deployment: requests, errors, rate and p50/p99 over the last minute, queue depth, batch sizes")
    @ApiResponse(responseCode = "404", description = "not deployed", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<AdminViews.DeploymentStats> deploymentStats(@PathVariable String model, @PathVariable int version) {
        return calls.blocking(() -> {
            LiveDeployment live = deployments.model(model).flatMap(s -> s.version(version))
                    .map(ServedModel.VersionEntry::deployment)
                    .orElseThrow(() -> new dev.otimo.registry.NotFoundException("model '" + model + "' version " + version + " is not deployed"));
            String v = Integer.toString(version);
            long requests = 0;
            long errors = 0;
            for (io.micrometer.core.instrument.Counter c : meters.find("otimo.requests").tags("model", model, "version", v).counters()) {
                long n = (long) c.count();
                requests += n;
                if (!"success".equals(c.getId().getTag("outcome"))) {
                    errors += n;
                }
            }
            java.util.Map<String, Long> batchSizes = new java.util.LinkedHashMap<>();
            io.micrometer.core.instrument.DistributionSummary sizes = meters.find("otimo.batch.size").tags("model", model, "version", v).summary();
            if (sizes != null) {
                long below = 0;
                for (io.micrometer.core.instrument.distribution.CountAtBucket b : sizes.takeSnapshot().histogramCounts()) {
                    long cumulative = (long) b.count();
                    if (cumulative > below) {
                        batchSizes.put(Long.toString((long) b.bucket()), cumulative - below);
                    }
                    below = cumulative;
                }
            }
            dev.otimo.observability.VariantStats.Snapshot recent = variantStats.snapshot(model, version);
            return new AdminViews.DeploymentStats(model, version, requests, errors, recent.requestsPerSecond(),
                    recent.p50Millis(), recent.p99Millis(), live.queueDepth(), batchSizes);
        });
    }

    @DeleteMapping("/models/{model}/versions/{version}/deployment")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Undeploy: stop admitting, finish queued requests, close the session")
    public Mono<Void> undeploy(@PathVariable String model, @PathVariable int version) {
        return calls.asActor(actor -> {
            registry.undeploy(actor, model, version);
            return true;
        }).flatMap(x -> Mono.fromFuture(deployments.reconcile()));
    }

    /** Emits {@code value} once the serving table reflects the change just committed. */
    private <T> Mono<T> afterReconcile(T value) {
        return Mono.fromFuture(deployments.reconcile()).thenReturn(value);
    }

    private AdminViews.DeploymentView deploymentView(String model, int version) {
        Deployment d = registry.deployment(model, version).orElseThrow(() ->
                new dev.otimo.registry.NotFoundException("model '" + model + "' version " + version + " is not deployed"));
        return deploymentView(d, model, version);
    }

    private AdminViews.DeploymentView deploymentView(Deployment d, String model, int version) {
        LiveDeployment live = deployments.model(model).flatMap(s -> s.version(version))
                .map(ServedModel.VersionEntry::deployment).orElse(null);
        boolean current = live != null && live.spec().device().equals(d.getDevice());
        String state = live == null ? "LOADING" : live.state().name();
        return new AdminViews.DeploymentView(model, version, d.getDevice(), d.getInstances(), d.getIntraOpThreads(),
                d.batchingPolicy(), state,
                live != null && live.placement() != null && current ? live.placement().describe() : null,
                live == null ? null : live.error(), live == null ? null : live.queueDepth());
    }

    AdminViews.VersionView view(ModelVersion v) {
        String model = v.getModel().getName();
        Signature sig = v.getSignature() == null ? null : SignatureJson.read(v.getSignature());
        AdminViews.DeploymentView deployment = registry.deployment(model, v.getNumber())
                .map(d -> deploymentView(d, model, v.getNumber())).orElse(null);
        return new AdminViews.VersionView(model, v.getNumber(), v.getStatus().name(), v.getStatusReason(), v.getSha256(),
                v.getSizeBytes(), v.getOpset(), v.getProducer(),
                sig == null ? null : sig.inputs().stream().map(ModelAdminController::tensor).toList(),
                sig == null ? null : sig.outputs().stream().map(ModelAdminController::tensor).toList(),
                sig == null ? null : sig.batchable(),
                v.getParentVersion(), AdminViews.json(v.getRecipe()), AdminViews.json(v.getReport()), v.getCreatedAt(), deployment);
    }

    private static AdminViews.TensorView tensor(TensorSpec spec) {
        return new AdminViews.TensorView(spec.name(), spec.datatype().name(), Arrays.stream(spec.shape()).boxed().toList());
    }


}
