package dev.otimo.api.v2;

import dev.otimo.inference.InferRequest;
import dev.otimo.inference.RequestedOutput;
import dev.otimo.inference.InferenceCall;
import dev.otimo.registry.VersionStatus;
import dev.otimo.api.ApiException;
import dev.otimo.api.ErrorBody;
import dev.otimo.config.OtimoProperties;
import dev.otimo.inference.ByteAdmission;
import dev.otimo.runtime.Signature;
import dev.otimo.runtime.Tensor;
import dev.otimo.runtime.TensorSpec;
import dev.otimo.security.ApiKeyVerifier;
import dev.otimo.security.ClientIdentity;
import dev.otimo.serving.DeploymentManager;
import dev.otimo.serving.LiveDeployment;
import dev.otimo.serving.ServedModel;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
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

    private final DeploymentManager deployments;
    private final InferenceCall calls;
    private final ApiKeyVerifier apiKeys;
    private final ByteAdmission admission;
    private final ClientIdentity clients;
    private final long maxRequestBytes;
    private final String serverVersion;

    public InferenceController(DeploymentManager deployments, InferenceCall calls, ApiKeyVerifier apiKeys,
                               ByteAdmission admission, ClientIdentity clients, OtimoProperties properties,
                               @org.springframework.beans.factory.annotation.Value("${otimo.version:0.1.0}") String serverVersion) {
        this.deployments = deployments;
        this.calls = calls;
        this.apiKeys = apiKeys;
        this.admission = admission;
        this.clients = clients;
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
        ServedModel served = calls.model(model);
        ServedModel.VersionEntry entry = served.defaultVersion()
                .orElseThrow(() -> ApiException.unavailable("model '" + model + "' has no READY version"));
        return metadata(served, entry);
    }

    @GetMapping(path = "/v2/models/{model}/versions/{version}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Model version metadata")
    @ApiResponse(responseCode = "404", description = "unknown model or version", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public V2Schemas.ModelMetadata versionMetadata(@PathVariable String model, @PathVariable String version) {
        ServedModel served = calls.model(model);
        ServedModel.VersionEntry entry = InferenceCall.version(served, version);
        if (entry.signature() == null) {
            throw ApiException.unavailable("model '" + model + "' version " + version + " is " + entry.status());
        }
        return metadata(served, entry);
    }

    @GetMapping(path = "/v2/models/{model}/ready", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Whether unversioned requests to the model can be served")
    @ApiResponse(responseCode = "503", description = "not ready", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public V2Schemas.ModelReady modelReady(@PathVariable String model, ServerWebExchange exchange) {
        LiveDeployment d = calls.routed(model, exchange.getRequest().getHeaders()::getFirst).deployment();
        return new V2Schemas.ModelReady(model, Integer.toString(d.version()), true);
    }

    @GetMapping(path = "/v2/models/{model}/versions/{version}/ready", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Whether a model version is deployed and serving")
    @ApiResponse(responseCode = "503", description = "not ready", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public V2Schemas.ModelReady versionReady(@PathVariable String model, @PathVariable String version) {
        calls.direct(model, version);
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
        return infer(model, null, exchange.getRequest().getHeaders(), exchange.getRequest().getBody(),
                () -> clients.of(exchange.getRequest()))
                .contextWrite(InferenceNettyRoute.answerOnEventLoop(ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest())));
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
        return infer(model, version, exchange.getRequest().getHeaders(), exchange.getRequest().getBody(),
                () -> clients.of(exchange.getRequest()))
                .contextWrite(InferenceNettyRoute.answerOnEventLoop(ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest())));
    }

    /**
     * An inference over HTTP, whichever server route received it: to {@code version}, or where the
     * routing policy sends it when {@code version} is null.
     *
     * @param clientKey the client whose rate limit the call counts against
     */
    Mono<ResponseEntity<byte[]>> infer(String model, String version, HttpHeaders headers, Flux<DataBuffer> body,
                                       Supplier<String> clientKey) {
        return Mono.defer(() -> {
            checkApiKey(headers);
            InferenceCall.Target target = version == null ? calls.routed(model, headers::getFirst) : calls.direct(model, version);
            return run(target, headers, body, clientKey);
        });
    }

    /**
     * The HTTP side of an inference: the body read within the byte budget and decoded for the target's
     * signature, the call, the answer encoded. The byte permit is held until the call ends.
     */
    private Mono<ResponseEntity<byte[]>> run(InferenceCall.Target target, HttpHeaders headers, Flux<DataBuffer> body,
                                             Supplier<String> clientKey) {
        long headerLength = headerLength(headers);
        long declared = headers.getContentLength();
        if (declared > maxRequestBytes) {
            throw ApiException.tooLarge("request body of " + declared + " bytes exceeds the limit of "
                    + maxRequestBytes + " bytes (otimo.max-request-size)");
        }
        LiveDeployment routed = target.deployment();
        AtomicReference<ByteAdmission.Permit> held = new AtomicReference<>();
        Mono<InferRequest> request = Mono.fromCallable(() -> admission.admit(routed.model() + " v" + routed.version(), Math.max(declared, 0)))
                .doOnNext(held::set)
                .flatMap(permit -> read(body, permit, declared))
                .map(bytes -> V2RequestDecoder.decode(bytes, headerLength, routed.signature()));
        Runnable release = () -> {
            ByteAdmission.Permit permit = held.get();
            if (permit != null) {
                permit.release();
            }
        };
        // released before the answer travels on, so a client that has its answer finds the bytes free
        return calls.call(target, clientKey, request)
                .doOnSuccess(answer -> release.run())
                .doOnError(e -> release.run())
                .doOnCancel(release)
                .map(InferenceController::respond);
    }

    /** The request body as one array, at most {@code otimo.max-request-size}; a chunked body grows the permit as it arrives. */
    private Mono<byte[]> read(Flux<DataBuffer> body, ByteAdmission.Permit permit, long declared) {
        return DataBufferUtils.join(declared >= 0 ? body
                                : body.<DataBuffer>handle((chunk, sink) -> {
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
                .defaultIfEmpty(new byte[0]);
    }

    private void checkApiKey(HttpHeaders headers) {
        ApiKeyGate.check(apiKeys, headers);
    }

    private static ResponseEntity<byte[]> respond(InferenceCall.Answer answer) {
        LiveDeployment d = answer.deployment();
        InferRequest request = answer.request();
        List<Tensor> outputs = answer.outputs();
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
