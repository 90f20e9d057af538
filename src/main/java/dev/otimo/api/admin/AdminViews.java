package dev.otimo.api.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.otimo.batching.BatchingPolicy;
import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** JSON bodies of the admin API. */
public final class AdminViews {

    private AdminViews() {
    }

    @Schema(name = "CreateModelRequest")
    public record CreateModel(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "iris") String name,
                              @Schema(example = "Iris species classifier") String description) {
    }

    @Schema(name = "ModelSummary")
    public record ModelSummary(String name, String description, Instant createdAt, int versionCount,
                               Integer latestVersion, List<Integer> deployedVersions) {
    }

    @Schema(name = "Model")
    public record ModelView(String name, String description, Instant createdAt, List<VersionView> versions) {
    }

    @Schema(name = "TensorSpec")
    public record TensorView(String name, String datatype, @Schema(description = "-1 = dynamic") List<Long> shape) {
    }

    @Schema(name = "ModelVersion")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record VersionView(String model, int version,
                              @Schema(allowableValues = {"UPLOADING", "VALIDATING", "READY", "FAILED"}) String status,
                              String statusReason, String sha256, Long sizeBytes, Integer opset, String producer,
                              List<TensorView> inputs, List<TensorView> outputs, Boolean batchable,
                              Integer parentVersion, Object recipe, Object report, Instant createdAt,
                              DeploymentView deployment) {
    }

    @Schema(name = "DeploymentRequest", description = "fields left out take the server's defaults")
    public record DeploymentRequest(@Schema(example = "cpu", description = "cpu, cuda, cuda:<id>, tensorrt, tensorrt:<id>") String device,
                                    @Schema(example = "1") Integer instances,
                                    @Schema(example = "0", description = "0: ONNX Runtime's default") Integer intraOpThreads,
                                    BatchingRequest batching) {
    }

    @Schema(name = "BatchingPolicyRequest", description = "a batching policy; fields left out take the server's defaults")
    public record BatchingRequest(@Schema(example = "64") Integer maxBatchSize,
                                  @Schema(example = "200") Long maxQueueDelayMicros,
                                  @Schema(example = "[8, 16, 32, 64]") List<Integer> preferredBatchSizes,
                                  @Schema(example = "1024") Integer queueCapacity,
                                  @Schema(example = "0") Long defaultTimeoutMicros,
                                  @Schema(example = "1") Integer priorityLevels) {

        BatchingPolicy over(BatchingPolicy defaults) {
            return new BatchingPolicy(
                    maxBatchSize != null ? maxBatchSize : defaults.maxBatchSize(),
                    maxQueueDelayMicros != null ? maxQueueDelayMicros : defaults.maxQueueDelayMicros(),
                    preferredBatchSizes != null ? preferredBatchSizes : defaults.preferredBatchSizes(),
                    queueCapacity != null ? queueCapacity : defaults.queueCapacity(),
                    defaultTimeoutMicros != null ? defaultTimeoutMicros : defaults.defaultTimeoutMicros(),
                    priorityLevels != null ? priorityLevels : defaults.priorityLevels());
        }
    }

    @Schema(name = "Deployment")
    public record DeploymentView(String model, int version, String device, int instances, int intraOpThreads,
                                 BatchingPolicy batching,
                                 @Schema(allowableValues = {"LOADING", "READY", "FAILED"}) String state,
                                 @Schema(description = "where the session runs, e.g. 'cpu' or 'cpu (fallback: <reason>)'") String provider,
                                 String error, Integer queueDepth) {
    }

    @Schema(name = "DeploymentStats", description = "live figures of a deployment: the last minute, and counts since start")
    public record DeploymentStats(String model, int version, long requests, long errors, double requestsPerSecond,
                                  Double p50Millis, Double p99Millis, int queueDepth,
                                  @Schema(description = "model runs by batch size (rows): upper bound of the bucket → runs") Map<String, Long> batchSizes) {
    }

    /** Any stored JSON (object or array) handed back as JSON. */
    static Object jsonAny(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return tools.jackson.databind.json.JsonMapper.builder().build().readValue(text, Object.class);
        } catch (RuntimeException e) {
            return text;
        }
    }

    /** Free-form JSON stored as text (recipe, report) handed back as JSON. */
    static Object json(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return tools.jackson.databind.json.JsonMapper.builder().build().readValue(text, Map.class);
        } catch (RuntimeException e) {
            return text;
        }
    }
}
