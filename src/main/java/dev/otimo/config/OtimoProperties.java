package dev.otimo.config;

import dev.otimo.batching.BatchingPolicy;
import dev.otimo.runtime.SessionSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.nio.file.Path;

/**
 * Otimo's settings under {@code otimo.*}, with their defaults.
 *
 * @param dataDir        where the local artifact store and temporary uploads live
 * @param maxRequestSize largest inference request body; larger ones get 413
 * @param maxUploadSize  largest model file accepted by the admin API
 * @param defaultDevice  device of a deployment that names none
 * @param runtime        ONNX Runtime session options
 * @param batching       the batching policy of a deployment that names none
 * @param demo           whether the demo model is registered and deployed at first start
 * @param admin          admin user; the password comes from OTIMO_ADMIN_PASSWORD or is generated
 * @param reservoirSize  request inputs kept per model for calibration and fidelity checks
 * @param reservoirMaxBytes bytes of request inputs the reservoirs of all models keep together
 * @param compression    compression job workers
 * @param admission      bytes of request bodies held at once
 * @param validation     the checks an uploaded model passes before it is registered
 */
@Validated
@ConfigurationProperties("otimo")
public record OtimoProperties(
        @DefaultValue("./data") @NotNull Path dataDir,
        @DefaultValue("32MB") @NotNull DataSize maxRequestSize,
        @DefaultValue("1GB") @NotNull DataSize maxUploadSize,
        @DefaultValue("cpu") @NotBlank String defaultDevice,
        @DefaultValue @Valid Runtime runtime,
        @DefaultValue @Valid BatchingPolicy batching,
        @DefaultValue @Valid Demo demo,
        @DefaultValue @Valid Admin admin,
        @DefaultValue("256") @Min(0) int reservoirSize,
        @DefaultValue("64MB") @NotNull DataSize reservoirMaxBytes,
        @DefaultValue @Valid Compression compression,
        @DefaultValue @Valid Admission admission,
        @DefaultValue @Valid Validation validation) {

    /**
     * @param maxConstantBytes the most bytes a model's constants may take once loaded: initializers
     *                         (sparse ones at their dense size), {@code Constant} values and the outputs of
     *                         {@code ConstantOfShape} nodes of constant shape, in every graph, subgraph and
     *                         function. A model over it is refused at upload (400)
     */
    public record Validation(@DefaultValue("2GB") @NotNull DataSize maxConstantBytes) {
    }

    /**
     * Budgets of request-body bytes in flight. Unset, the server's is a quarter of the heap and a
     * deployment's half the server's: decoded tensors and the model's own buffers need the rest.
     *
     * @param maxInflightBytes              across the server
     * @param maxInflightBytesPerDeployment per deployment
     */
    public record Admission(DataSize maxInflightBytes, DataSize maxInflightBytesPerDeployment) {

        public long maxInflightBytes(long maxHeap) {
            return maxInflightBytes != null ? maxInflightBytes.toBytes() : maxHeap / 4;
        }

        public long maxInflightBytesPerDeployment(long maxHeap) {
            return maxInflightBytesPerDeployment != null ? maxInflightBytesPerDeployment.toBytes()
                    : maxInflightBytes(maxHeap) / 2;
        }
    }

    /**
     * @param workers       jobs running at once
     * @param queueCapacity jobs waiting; beyond it new requests get 429
     * @param evaluationSeconds time budget of the side-by-side speed measurement per model and batch size, and of
     *                          the fidelity comparison; run counts adapt to the model's latency, so a model slower
     *                          than the budget is warmed once and measured once (the budget plus one run)
     * @param maxCalibrationSize largest calibration set accepted by the upload endpoint
     * @param maxCalibrationLine longest line (one v2 request) of a calibration set
     */
    public record Compression(@DefaultValue("1") @Min(1) int workers,
                              @DefaultValue("16") @Min(1) int queueCapacity,
                              @DefaultValue("4") @Min(1) int evaluationSeconds,
                              @DefaultValue("256MB") @NotNull DataSize maxCalibrationSize,
                              @DefaultValue("16MB") @NotNull DataSize maxCalibrationLine) {
    }

    /**
     * @param intraOpThreads    threads per operator (0: ONNX Runtime's choice)
     * @param interOpThreads    threads across operators
     * @param optimizationLevel none, basic, extended, all
     * @param memoryArena       CPU arena allocator on or off
     * @param warmupRuns        runs on inputs drawn from the signature before a deployment takes traffic
     * @param allowSpinning     let idle ONNX Runtime threads spin (faster hand-over, but they take cores
     *                          from the HTTP event loop)
     */
    public record Runtime(@DefaultValue("0") @Min(0) int intraOpThreads,
                          @DefaultValue("1") @Min(0) int interOpThreads,
                          @DefaultValue("all") @NotBlank String optimizationLevel,
                          @DefaultValue("true") boolean memoryArena,
                          @DefaultValue("2") @Min(0) int warmupRuns,
                          @DefaultValue("false") boolean allowSpinning) {

        public SessionSettings sessionSettings() {
            return new SessionSettings(intraOpThreads, interOpThreads, optimizationLevel, memoryArena, allowSpinning);
        }
    }

    /** @param enabled register and deploy the Iris demo model when the registry has no model of that name */
    public record Demo(@DefaultValue("true") boolean enabled, @DefaultValue("iris") @NotBlank String modelName) {
    }

    /** @param username admin user name; @param password admin password, null when it must be generated */
    public record Admin(@DefaultValue("admin") @NotBlank String username, String password) {
    }
}
