package dev.otimo.api.v2;

import dev.otimo.api.ApiException;
import dev.otimo.api.ErrorBody;
import dev.otimo.batching.QueueRejectedException;
import dev.otimo.compression.TrafficReservoir;
import dev.otimo.config.OtimoProperties;
import dev.otimo.experiments.ExperimentTraffic;
import dev.otimo.inference.ByteAdmission;
import dev.otimo.inference.FailureKind;
import dev.otimo.observability.InferenceMetrics;
import dev.otimo.observability.InferenceMetrics.Outcome;
import dev.otimo.observability.VariantStats;
import dev.otimo.registry.VersionStatus;
import dev.otimo.routing.ClientRateLimits;
import dev.otimo.routing.DeploymentShields;
import dev.otimo.routing.Route;
import dev.otimo.routing.Router;
import dev.otimo.routing.ShadowMirror;
import dev.otimo.runtime.Signature;
import dev.otimo.runtime.Tensor;
import dev.otimo.runtime.TensorSpec;
import dev.otimo.security.ApiKeyVerifier;
import dev.otimo.security.ClientIdentity;
import dev.otimo.serving.DeploymentManager;
import dev.otimo.serving.LiveDeployment;
import dev.otimo.serving.ServedModel;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The Open Inference Protocol v2 over REST: health, server and model metadata, readiness, infer.
 * Reads only the in-memory serving table; model runs happen on the deployments' runner threads.
 */
@RestController
@Tag(name = "v2 inference", description = "Open Inference Protocol v2 (KServe / Triton)")
public class InferenceController {

    static final String HEADER_LENGTH = "Inference-Header-Content-Length";
    static final String VERSION_HEADER = "X-Otimo-Model-Version";
    static final List<String> EXTENSIONS = List.of("binary_tensor_data", "schedule_policy");
    private static final String ROUTED = "routed";

    private final DeploymentManager deployments;
    private final Router router;
    private final DeploymentShields shields;
    private final ClientRateLimits rateLimits;
    private final ShadowMirror shadows;
    private final InferenceMetrics metrics;
    private final VariantStats variantStats;
    private final TrafficReservoir reservoir;
    private final ApiKeyVerifier apiKeys;
    private final ByteAdmission admission;
    private final ClientIdentity clients;
    private final ExperimentTraffic experiments;
    private final long maxRequestBytes;
    private final String serverVersion;

    public InferenceController(DeploymentManager deployments, Router router, DeploymentShields shields,
                               ClientRateLimits rateLimits, ShadowMirror shadows, InferenceMetrics metrics,
                               VariantStats variantStats, TrafficReservoir reservoir, ApiKeyVerifier apiKeys,
                               ByteAdmission admission, ClientIdentity clients, ExperimentTraffic experiments,
                               OtimoProperties properties,
                               @org.springframework.beans.factory.annotation.Value("${otimo.version:0.1.0}") String serverVersion) {
        this.deployments = deployments;
        this.router = router;
        this.shields = shields;
        this.rateLimits = rateLimits;
        this.shadows = shadows;
        this.metrics = metrics;
        this.variantStats = variantStats;
        this.reservoir = reservoir;
        this.apiKeys = apiKeys;
        this.admission = admission;
        this.clients = clients;
        this.experiments = experiments;
        this.maxRequestBytes = properties.maxRequestSize().toBytes();
        this.serverVersion = serverVersion;
    }

    @GetMapping(path = "/v2/health/live", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Server liveness")
    public V2Schemas.Live live() {
        return new V2Schemas.Live(true);
    }

    @GetMapping(path = "/v2/health/ready", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Server readiness: every deployment loaded and warmed up")
    @ApiResponse(responseCode = "503", description = "not ready", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public V2Schemas.Ready ready() {
        if (!deployments.isReady()) {
            throw ApiException.unavailable(deployments.anyRunnerStopped()
                    ? "server is not ready: a deployment lost a runner thread and no longer serves; redeploy it (see /v2/models/{model})"
                    : "server is not ready: deployments are still loading");
        }
        return new V2Schemas.Ready(true);
    }

    @GetMapping(path = "/v2", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Server metadata: name, version and the protocol extensions implemented")
    public V2Schemas.ServerMetadata server() {
        return new V2Schemas.ServerMetadata("otimo", serverVersion, EXTENSIONS);
    }

    @GetMapping(path = "/v2/models/{model}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Model metadata (the version unversioned requests reach)")
    @ApiResponse(responseCode = "404", description = "unknown model", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public V2Schemas.ModelMetadata modelMetadata(@PathVariable String model) {
        ServedModel served = served(model);
        ServedModel.VersionEntry entry = served.defaultVersion()
                .orElseThrow(() -> ApiException.unavailable("model '" + model + "' has no READY version"));
        return metadata(served, entry);
    }

    @GetMapping(path = "/v2/models/{model}/versions/{version}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Model version metadata")
    @ApiResponse(responseCode = "404", description = "unknown model or version", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public V2Schemas.ModelMetadata versionMetadata(@PathVariable String model, @PathVariable String version) {
        ServedModel served = served(model);
        ServedModel.VersionEntry entry = entry(served, version);
        if (entry.signature() == null) {
            throw ApiException.unavailable("model '" + model + "' version " + version + " is " + entry.status());
        }
        return metadata(served, entry);
    }

    @GetMapping(path = "/v2/models/{model}/ready", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Whether unversioned requests to the model can be served")
    @ApiResponse(responseCode = "503", description = "not ready", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public V2Schemas.ModelReady modelReady(@PathVariable String model, ServerWebExchange exchange) {
        ServedModel served = served(model);
        LiveDeployment d = router.route(served, exchange.getRequest().getHeaders())
                .orElseThrow(() -> notServing(served, "is not ready: no version is deployed"));
        return new V2Schemas.ModelReady(model, Integer.toString(d.version()), true);
    }

    @GetMapping(path = "/v2/models/{model}/versions/{version}/ready", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Whether a model version is deployed and serving")
    @ApiResponse(responseCode = "503", description = "not ready", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public V2Schemas.ModelReady versionReady(@PathVariable String model, @PathVariable String version) {
        ServedModel.VersionEntry entry = entry(served(model), version);
        servingDeployment(model, entry);
        return new V2Schemas.ModelReady(model, version, true);
    }

    @PostMapping(path = "/v2/models/{model}/infer",
            produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_OCTET_STREAM_VALUE})
    @Operation(summary = "Inference on the version the model's routing picks",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = {
                    @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = V2Schemas.InferenceRequestBody.class)),
                    @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE, schema = @Schema(type = "string", format = "binary",
                            description = "binary tensor extension: JSON header of Inference-Header-Content-Length bytes, then tensor data"))}))
    @ApiResponse(responseCode = "200", description = "outputs", content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = V2Schemas.InferenceResponseBody.class)))
    @ApiResponse(responseCode = "400", description = "the request does not match the model", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "401", description = "API keys are required and X-Api-Key holds none or a wrong one", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", description = "unknown model", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "413", description = "body over the configured limit", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "429", description = "queue full, too many requests in flight, timeout passed before the request "
            + "started, or the client's rate limit reached (Retry-After)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "503", description = "no version deployed, the version's circuit breaker is open and no other variant "
            + "serves, or the version did not answer within its time limit (Retry-After)",
            content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<ResponseEntity<byte[]>> infer(@PathVariable String model,
                                              @Parameter(hidden = true) ServerWebExchange exchange) {
        return Mono.defer(() -> {
            checkApiKey(exchange.getRequest().getHeaders());
            ServedModel served = served(model);
            Route route = router.select(served, exchange.getRequest().getHeaders())
                    .orElseThrow(() -> notServing(served, "has no deployed version; deploy one first"));
            return run(route, ROUTED, exchange);
        });
    }

    @PostMapping(path = "/v2/models/{model}/versions/{version}/infer",
            produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_OCTET_STREAM_VALUE})
    @Operation(summary = "Inference on one version, bypassing routing",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = {
                    @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = V2Schemas.InferenceRequestBody.class)),
                    @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE, schema = @Schema(type = "string", format = "binary"))}))
    @ApiResponse(responseCode = "200", description = "outputs", content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = V2Schemas.InferenceResponseBody.class)))
    @ApiResponse(responseCode = "400", description = "the request does not match the model", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "401", description = "API keys are required and X-Api-Key holds none or a wrong one", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", description = "unknown model or version", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "429", description = "queue full, too many requests in flight, or the client's rate limit reached (Retry-After)",
            content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "503", description = "version not deployed, its circuit breaker is open, or it did not answer within its "
            + "time limit (Retry-After)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<ResponseEntity<byte[]>> inferVersion(@PathVariable String model, @PathVariable String version,
                                                     @Parameter(hidden = true) ServerWebExchange exchange) {
        return Mono.defer(() -> {
            checkApiKey(exchange.getRequest().getHeaders());
            ServedModel.VersionEntry entry = entry(served(model), version);
            return run(Route.direct(servingDeployment(model, entry)), "direct", exchange);
        });
    }

    private Mono<ResponseEntity<byte[]>> run(Route route, String variant, ServerWebExchange exchange) {
        long started = System.nanoTime();
        HttpHeaders headers = exchange.getRequest().getHeaders();
        long headerLength = headerLength(headers);
        if (headers.getContentLength() > maxRequestBytes) {
            throw ApiException.tooLarge("request body of " + headers.getContentLength() + " bytes exceeds the limit of "
                    + maxRequestBytes + " bytes (otimo.max-request-size)");
        }
        LiveDeployment routed = route.deployment();
        long declared = headers.getContentLength();
        Mono<Served> served = Mono.usingWhen(
                Mono.fromCallable(() -> admission.admit(routed.model() + " v" + routed.version(), Math.max(declared, 0))),
                permit -> DataBufferUtils.join(declared >= 0 ? exchange.getRequest().getBody()
                                        : exchange.getRequest().getBody().handle((chunk, sink) -> {
                                            try {
                                                permit.grow(chunk.readableByteCount());
                                                sink.next(chunk);
                                            } catch (ApiException refused) {
                                                DataBufferUtils.release(chunk);
                                                sink.error(refused);
                                            }
                                        }),
                                (int) Math.min(maxRequestBytes, Integer.MAX_VALUE - 8))
                        .onErrorMap(org.springframework.core.io.buffer.DataBufferLimitException.class, e -> ApiException.tooLarge(
                                "request body exceeds the limit of " + maxRequestBytes + " bytes (otimo.max-request-size)"))
                        .map(InferenceController::bytes)
                        .defaultIfEmpty(new byte[0])
                        .flatMap(body -> serve(route, V2RequestDecoder.decode(body, headerLength, routed.signature()))),
                permit -> Mono.fromRunnable(permit::release),
                (permit, error) -> Mono.fromRunnable(permit::release),
                permit -> Mono.fromRunnable(permit::release));
        boolean inExperiments = ROUTED.equals(variant);
        return rateLimits.limit(() -> clientKey(exchange), served)
                .doOnSuccess(s -> {
                    long nanos = System.nanoTime() - started;
                    metrics.record(s.deployment().model(), s.deployment().version(), variant, Outcome.SUCCESS, nanos);
                    variantStats.record(s.deployment().model(), s.deployment().version(), nanos);
                    if (inExperiments) {
                        experiments.record(s.deployment().model(), s.deployment().version(), nanos, null, s.requestId(), s.outputs());
                    }
                })
                .doOnError(e -> {
                    long nanos = System.nanoTime() - started;
                    metrics.record(routed.model(), routed.version(), variant, outcome(e), nanos);
                    if (inExperiments) {
                        experiments.record(routed.model(), routed.version(), nanos, e, null, null);
                    }
                })
                .map(s -> s.response())
                .onErrorMap(e -> refusal(e, routed));
    }

    /**
     * A response and the deployment that produced it (the routed one, or the primary it fell back to), with the
     * request's id and the outputs it answered, for experiments.
     */
    private record Served(LiveDeployment deployment, String requestId, List<Tensor> outputs, ResponseEntity<byte[]> response) {
    }

    /**
     * Runs a decoded request on the route's deployment behind its shields; falls back to the primary
     * variant when the deployment's circuit breaker is open; mirrors the request to the shadow
     * once the client's answer is ready.
     */
    private Mono<Served> serve(Route route, InferRequest request) {
        LiveDeployment d = route.deployment();
        long started = System.nanoTime();
        Mono<Served> primary = protectedInfer(d, request)
                .doOnSuccess(outputs -> route.answered(System.nanoTime() - started))
                .doOnError(e -> judgeFailure(route, request, System.nanoTime() - started, e))
                .map(outputs -> new Served(d, request.id(), outputs, respond(d, request, outputs, route)));
        LiveDeployment fallback = route.fallback();
        if (fallback == null) {
            return primary;
        }
        return primary.onErrorResume(CallNotPermittedException.class, open -> protectedInfer(fallback, request)
                .map(outputs -> new Served(fallback, request.id(), outputs, respond(fallback, request, outputs, route)))
                .onErrorMap(e -> refusal(e, fallback)));
    }

    private Mono<List<Tensor>> protectedInfer(LiveDeployment d, InferRequest request) {
        SignatureCheck.Checked checked = SignatureCheck.check(d.model(), d.version(), d.signature(), request);
        return shields.protect(d, d.infer(checked.inputs(), checked.outputs(), checked.rows(), checked.shapeKey(),
                        request.priority(), request.timeoutMicros())
                .onErrorResume(e -> e instanceof QueueRejectedException q && q.queueClosed(), e -> replacement(d)
                        .map(now -> now.infer(checked.inputs(), checked.outputs(), checked.rows(), checked.shapeKey(),
                                request.priority(), request.timeoutMicros()))
                        .orElse(Mono.error(e))))
                // only inputs the model answered are kept for calibration and fidelity checks
                .doOnSuccess(outputs -> reservoir.offer(d.model(), checked.inputs()));
    }

    /**
     * Reports a failure to the route's canary guard. One the request's values triggered counts
     * against a guarded canary only when the primary variant answers the same inputs; the check
     * runs on the primary's runner after the client has its answer, and its result goes nowhere else.
     */
    private void judgeFailure(Route route, InferRequest request, long nanos, Throwable e) {
        if (FailureKind.of(e) != FailureKind.INPUT_TRIGGERED || !route.comparesInputFailures()) {
            route.failed(nanos, e);
            return;
        }
        LiveDeployment primary = route.fallback();
        Mono.defer(() -> {
                    SignatureCheck.Checked checked = SignatureCheck.check(primary.model(), primary.version(), primary.signature(), request);
                    return primary.infer(checked.inputs(), checked.outputs(), checked.rows(), checked.shapeKey(),
                            request.priority(), request.timeoutMicros());
                })
                .subscribe(outputs -> route.failedWherePrimaryAnswered(nanos, e), primaryFailedToo -> { });
    }

    /** The deployment now serving the same version, when a version swap closed {@code old} under a request. */
    private java.util.Optional<LiveDeployment> replacement(LiveDeployment old) {
        return deployments.model(old.model()).flatMap(m -> m.version(old.version()))
                .map(ServedModel.VersionEntry::deployment)
                .filter(now -> now != old && now.isReady());
    }

    private ResponseEntity<byte[]> respond(LiveDeployment d, InferRequest request, List<Tensor> outputs, Route route) {
        ResponseEntity<byte[]> response = respond(d, request, outputs);
        LiveDeployment shadow = route.shadow();
        if (shadow != null && shadow != d) {
            shadows.mirror(shadow, Mono.defer(() -> {
                SignatureCheck.Checked checked = SignatureCheck.check(shadow.model(), shadow.version(), shadow.signature(), request);
                return shadow.infer(checked.inputs(), checked.outputs(), checked.rows(), checked.shapeKey(),
                        request.priority(), request.timeoutMicros());
            }), outputs, shadowOutputs -> experiments.shadowed(d.model(), d.version(), outputs, shadow.version(), shadowOutputs));
        }
        return response;
    }

    /** The client whose rate limit a request counts against: its valid API key, else its address. */
    private String clientKey(ServerWebExchange exchange) {
        return clients.of(exchange.getRequest());
    }

    /** Resilience refusals as the client sees them: 429 or 503 with Retry-After and what to do. */
    private Throwable refusal(Throwable e, LiveDeployment d) {
        String who = "model '" + d.model() + "' version " + d.version();
        if (e instanceof CallNotPermittedException) {
            return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, who + " is failing and its circuit breaker is open; "
                    + "retry later or call another version", shields.shield(d).retryAfterSeconds());
        }
        if (e instanceof TimeoutException) {
            return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, who + " did not answer within its time limit of "
                    + shields.shield(d).timeLimit().toMillis() + " ms (otimo.resilience.time-limit)", 1L);
        }
        if (e instanceof BulkheadFullException) {
            return new ApiException(HttpStatus.TOO_MANY_REQUESTS, who + " already holds " + shields.shield(d).maxConcurrentCalls()
                    + " requests (otimo.resilience.bulkhead-max-concurrent); retry later", 1L);
        }
        if (e instanceof RequestNotPermitted) {
            return new ApiException(HttpStatus.TOO_MANY_REQUESTS, "this client's rate limit is reached "
                    + "(otimo.resilience.rate-limit-per-second); retry later", rateLimits.retryAfterSeconds());
        }
        return e;
    }

    private void checkApiKey(HttpHeaders headers) {
        ApiKeyGate.check(apiKeys, headers);
    }

    private static ResponseEntity<byte[]> respond(LiveDeployment d, InferRequest request, List<dev.otimo.runtime.Tensor> outputs) {
        Set<String> binary = request.outputs().stream().filter(RequestedOutput::binary)
                .map(RequestedOutput::name).collect(Collectors.toSet());
        V2ResponseEncoder.Encoded encoded = V2ResponseEncoder.encode(d.model(), d.version(), request.id(), outputs,
                binary, request.binaryDataOutput());
        ResponseEntity.BodyBuilder response = ResponseEntity.ok().header(VERSION_HEADER, Integer.toString(d.version()));
        if (encoded.headerLength() >= 0) {
            response.contentType(MediaType.APPLICATION_OCTET_STREAM)
                    .header(HEADER_LENGTH, Integer.toString(encoded.headerLength()));
        } else {
            response.contentType(MediaType.APPLICATION_JSON);
        }
        return response.body(encoded.body());
    }

    private static Outcome outcome(Throwable e) {
        return switch (FailureKind.of(e)) {
            case CLIENT, INPUT_TRIGGERED -> Outcome.CLIENT_ERROR;
            case OVERLOAD -> Outcome.REJECTED;
            case TIMEOUT -> Outcome.TIMEOUT;
            case SERVER -> Outcome.SERVER_ERROR;
        };
    }

    private static byte[] bytes(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    private static long headerLength(HttpHeaders headers) {
        String value = headers.getFirst(HEADER_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            long length = Long.parseLong(value.trim());
            if (length < 0) {
                throw ApiException.badRequest(HEADER_LENGTH + " must not be negative, was " + value);
            }
            return length;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(HEADER_LENGTH + " must be a number of bytes, was '" + value + "'");
        }
    }

    /** Why no version of the model takes requests: a deployment that lost its runner says so, else {@code otherwise}. */
    private static ApiException notServing(ServedModel served, String otherwise) {
        for (ServedModel.VersionEntry v : served.versions().values()) {
            LiveDeployment d = v.deployment();
            if (d != null && d.runnerStopped()) {
                return ApiException.unavailable("model '" + served.name() + "' version " + v.number()
                        + " no longer serves: " + d.error() + "; redeploy it");
            }
        }
        return ApiException.unavailable("model '" + served.name() + "' " + otherwise);
    }

    private ServedModel served(String model) {
        return deployments.model(model).orElseThrow(() -> ApiException.notFound("unknown model '" + model + "'"));
    }

    private static ServedModel.VersionEntry entry(ServedModel served, String version) {
        int number;
        try {
            number = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw ApiException.notFound("model '" + served.name() + "' has no version '" + version + "' (versions are numbers)");
        }
        return served.version(number).orElseThrow(() ->
                ApiException.notFound("model '" + served.name() + "' has no version " + number));
    }

    private static LiveDeployment servingDeployment(String model, ServedModel.VersionEntry entry) {
        LiveDeployment d = entry.deployment();
        if (d == null) {
            throw ApiException.unavailable("model '" + model + "' version " + entry.number() + " is not deployed"
                    + (entry.status() == VersionStatus.READY ? "; deploy it first" : " (status " + entry.status() + ")"));
        }
        if (!d.isReady()) {
            throw ApiException.unavailable("model '" + model + "' version " + entry.number()
                    + (d.runnerStopped() ? " no longer serves: " : " failed to load: ") + d.error());
        }
        return d;
    }

    private static V2Schemas.ModelMetadata metadata(ServedModel served, ServedModel.VersionEntry entry) {
        List<String> versions = served.versions().values().stream()
                .filter(v -> v.status() == VersionStatus.READY).map(v -> Integer.toString(v.number())).toList();
        Signature sig = entry.signature();
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("version", Integer.toString(entry.number()));
        LiveDeployment d = entry.deployment();
        if (d != null) {
            parameters.put("state", d.state().name());
            if (d.placement() != null) {
                parameters.put("device", d.placement().describe());
            }
            if (d.error() != null) {
                parameters.put("error", d.error());
            }
            parameters.put("batching", d.batches());
        } else {
            parameters.put("state", "NOT_DEPLOYED");
        }
        return new V2Schemas.ModelMetadata(served.name(), versions, "onnxruntime_onnx",
                sig.inputs().stream().map(InferenceController::tensor).toList(),
                sig.outputs().stream().map(InferenceController::tensor).toList(), parameters);
    }

    private static V2Schemas.TensorMetadata tensor(TensorSpec spec) {
        return new V2Schemas.TensorMetadata(spec.name(), spec.datatype().name(),
                Arrays.stream(spec.shape()).boxed().toList());
    }
}
