package dev.otimo.api.admin;

import dev.otimo.api.ApiException;
import dev.otimo.api.ErrorBody;
import dev.otimo.compression.CalibrationSet;
import dev.otimo.compression.CompressionJob;
import dev.otimo.compression.CompressionService;
import dev.otimo.compression.Recipe;
import dev.otimo.compression.TransformOptions;
import dev.otimo.config.OtimoProperties;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Compression requests, their jobs, and uploaded calibration sets. */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "admin: compression", description = "compress a version into a new one, with lineage and a report")
@SecurityRequirement(name = "basic")
@ApiResponse(responseCode = "401", description = "missing or wrong credentials", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
public class CompressionAdminController {

    private final CompressionService compression;
    private final Path uploads;
    private final long maxCalibrationSize;

    private final AdminCalls calls;

    public CompressionAdminController(CompressionService compression, OtimoProperties properties, AdminCalls calls)
            throws java.io.IOException {
        this.compression = compression;
        this.calls = calls;
        this.maxCalibrationSize = properties.compression().maxCalibrationSize().toBytes();
        this.uploads = Files.createDirectories(properties.dataDir().resolve("uploads"));
    }

    @Schema(name = "CompressionStep")
    public record Step(@Schema(example = "int8-dynamic", allowableValues = {"int8-dynamic", "int8-static", "fp16", "fp32", "prune", "optimize"}) String method,
                       @Schema(description = "method options, e.g. {\"sparsity\": 0.5} for prune, {\"perChannel\": true} for int8-dynamic") Map<String, Object> options) {
    }

    @Schema(name = "CalibrationRequest")
    public record CalibrationRequest(@Schema(allowableValues = {"traffic", "upload"}) String source,
                                     @Schema(description = "most samples to use", example = "128") Integer samples,
                                     @Schema(description = "id from POST .../calibration-sets when source is upload") String uploadId) {
    }

    @Schema(name = "CompressionRequest", description = "one method (with options) or a recipe of several")
    public record CompressionRequest(@Schema(example = "int8-dynamic") String method, Map<String, Object> options,
                                     List<Step> recipe, CalibrationRequest calibration,
                                     @Schema(description = "register the result even when it is neither faster (throughput"
                                             + " ratio above 1.02) nor smaller (size ratio below 0.98) than the parent; by default"
                                             + " such a job ends SUCCEEDED without a new version and its report says noGain",
                                             defaultValue = "false") Boolean keepIfNoGain) {
    }

    @Schema(name = "JobAccepted")
    public record JobAccepted(String jobId) {
    }

    @Schema(name = "CompressionJob")
    public record JobView(String id, String model, int version, Object recipe,
                          @Schema(allowableValues = {"QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"}) String status,
                          int progress, String step,
                          @Schema(description = "the new version; null while running, on failure, or when the result had no gain")
                          Integer resultVersion, Object report, String error,
                          Instant createdAt, Instant updatedAt) {
    }

    @Schema(name = "CalibrationSet")
    public record CalibrationView(String uploadId, String model, int samples, String sha256, Long sizeBytes, Instant createdAt) {
    }

    @PostMapping(path = "/models/{model}/versions/{version}/compressions", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Start compressing a version; poll GET /api/v1/jobs/{id}")
    @ApiResponse(responseCode = "400", description = "unknown method, bad option, missing calibration, an int8 method on an already-quantized model", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "409", description = "parent version not READY", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "429", description = "job queue full", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<JobAccepted> compress(@PathVariable String model, @PathVariable int version,
                                      @RequestBody CompressionRequest body) {
        return calls.asActor(actor -> {
            List<Map<String, Object>> steps = steps(body);
            Recipe recipe = null;
            for (Map<String, Object> step : steps) {
                @SuppressWarnings("unchecked")
                Map<String, Object> options = (Map<String, Object>) step.get("options");
                String method = (String) step.get("method");
                recipe = recipe == null ? Recipe.of(method, TransformOptions.of(options)) : recipe.then(method, TransformOptions.of(options));
            }
            CalibrationRequest c = body.calibration();
            CompressionService.Calibration calibration = c == null ? null
                    : new CompressionService.Calibration(c.source(), c.samples(), c.uploadId());
            return new JobAccepted(compression.submit(actor, model, version, new CompressionService.Request(recipe, steps, calibration,
                    Boolean.TRUE.equals(body.keepIfNoGain()))).getId());
        });
    }

    private static List<Map<String, Object>> steps(CompressionRequest body) {
        if (body == null) {
            throw ApiException.badRequest("send {\"method\": ..., \"options\": {...}} or {\"recipe\": [{\"method\": ..., \"options\": {...}}]}");
        }
        boolean hasMethod = body.method() != null && !body.method().isBlank();
        boolean hasRecipe = body.recipe() != null && !body.recipe().isEmpty();
        if (hasMethod == hasRecipe) {
            throw ApiException.badRequest("give either \"method\" (with \"options\") or a non-empty \"recipe\", not both or neither");
        }
        List<Map<String, Object>> steps = new ArrayList<>();
        if (hasMethod) {
            steps.add(Map.of("method", body.method(), "options", body.options() == null ? Map.of() : body.options()));
        } else {
            for (Step s : body.recipe()) {
                if (s == null || s.method() == null || s.method().isBlank()) {
                    throw ApiException.badRequest("every recipe step needs a \"method\"");
                }
                steps.add(Map.of("method", s.method(), "options", s.options() == null ? Map.of() : s.options()));
            }
        }
        return steps;
    }

    @GetMapping("/jobs/{id}")
    @Operation(summary = "A compression job: status, progress, result version, report or error")
    @ApiResponse(responseCode = "404", description = "unknown job", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<JobView> job(@PathVariable String id) {
        return calls.blocking(() -> view(compression.job(id)));
    }

    @DeleteMapping("/jobs/{id}")
    @Operation(summary = "Cancel a QUEUED or RUNNING job",
            description = "The job is CANCELLED at once; its worker stops at the next step or evaluation run and registers nothing.")
    @ApiResponse(responseCode = "404", description = "unknown job", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "409", description = "the job has already finished", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<JobView> cancel(@PathVariable String id) {
        return calls.asActor(actor -> view(compression.cancel(actor, id)));
    }

    @GetMapping("/jobs")
    @Operation(summary = "Compression jobs of a model, newest first")
    public Mono<List<JobView>> jobs(@RequestParam String model) {
        return calls.blocking(() -> compression.jobs(model).stream().map(CompressionAdminController::view).toList());
    }

    @PostMapping(path = "/models/{model}/calibration-sets", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Upload calibration inputs: part 'file' with one JSON v2 inference request per line",
            description = "Bounded by otimo.compression.max-calibration-size and, per line, max-calibration-line. "
                    + "The set is stored in the registry, where every replica finds it. An optional form field 'sha256' "
                    + "or a Content-Digest / Repr-Digest field on the file part is checked (422 on mismatch).")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
            schema = @Schema(implementation = ModelAdminController.UploadForm.class)))
    @ApiResponse(responseCode = "400", description = "a line is not a v2 request, or is too long", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "413", description = "set over the upload limit", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "422", description = "the file does not match the digest the client stated", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<CalibrationView> calibrationSet(@PathVariable String model,
                                                @io.swagger.v3.oas.annotations.Parameter(hidden = true) ServerHttpRequest request) {
        long limit = maxCalibrationSize;
        return calls.blocking(() -> compression.calibrationSets(model))
                .flatMap(existing -> MultipartUpload.receive(request, uploads, "calibration-", limit, "calibration set",
                        received -> calls.asActor(actor -> view(compression.storeCalibrationSet(actor, model,
                                received.path(), received.sha256(), received.size())))));
    }

    @GetMapping("/models/{model}/calibration-sets")
    @Operation(summary = "A model's calibration sets, newest first")
    public Mono<List<CalibrationView>> calibrationSets(@PathVariable String model) {
        return calls.blocking(() -> compression.calibrationSets(model).stream()
                .map(CompressionAdminController::view).toList());
    }

    @DeleteMapping("/models/{model}/calibration-sets/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a calibration set (refused while a queued or running job reads it)")
    @ApiResponse(responseCode = "404", description = "unknown set", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "409", description = "a job reads it", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<Void> deleteCalibrationSet(@PathVariable String model, @PathVariable String id) {
        return calls.asActor(actor -> compression.deleteCalibrationSet(actor, model, id)).then();
    }

    static CalibrationView view(CalibrationSet set) {
        return new CalibrationView(set.getId(), set.getModel().getName(), set.getSamples(), set.getSha256(),
                set.getSizeBytes(), set.getCreatedAt());
    }

    static JobView view(CompressionJob job) {
        return new JobView(job.getId(), job.getModel().getName(), job.getParentVersion(), AdminViews.jsonAny(job.getRecipe()),
                job.getStatus().name(), job.getProgress(), job.getStep(), job.getResultVersion(),
                AdminViews.json(job.getReport()), job.getError(), job.getCreatedAt(), job.getUpdatedAt());
    }

}
