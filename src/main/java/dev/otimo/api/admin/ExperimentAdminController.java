package dev.otimo.api.admin;

import dev.otimo.api.ErrorBody;
import dev.otimo.experiments.Experiments;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * Admin API for A/B experiments: start, list, read with live statistics and verdict, promote, stop. Thin:
 * parses, runs {@link Experiments} on {@code boundedElastic} as the authenticated admin, maps to views.
 */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "admin: experiments", description = "A/B experiments that answer \"is B better?\": per-variant statistics with "
        + "confidence intervals, a sequential verdict, promotion")
@SecurityRequirement(name = "basic")
@ApiResponse(responseCode = "401", description = "missing or wrong credentials", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
public class ExperimentAdminController {

    private final Experiments experiments;
    private final AdminCalls calls;

    public ExperimentAdminController(Experiments experiments, AdminCalls calls) {
        this.experiments = experiments;
        this.calls = calls;
    }

    @PostMapping(path = "/models/{model}/experiments", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Start an experiment: the model's routing weights become the experiment's", description =
            "The first variant is the control. Unversioned requests are split by the weights (the routing policy's sticky "
                    + "header, shadow and guard stay); each variant's requests, errors and latency are recorded, and outcomes "
                    + "reported to /v2/models/{model}/outcomes are joined to the variant that answered.")
    @ApiResponse(responseCode = "201", description = "the experiment", content = @Content(schema = @Schema(implementation = ExperimentViews.ExperimentView.class)))
    @ApiResponse(responseCode = "400", description = "fewer than two variants, a version listed twice or unknown, weights not "
            + "summing to more than 0, alpha not in (0, 0.5], unknown metric, missing fields",
            content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", description = "unknown model", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "409", description = "the model already has an open experiment, or a variant is not deployed",
            content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<ExperimentViews.ExperimentView> start(@PathVariable String model,
                                                      @RequestBody(required = false) ExperimentViews.ExperimentRequest body) {
        return calls.asActor(actor -> {
            if (body == null) {
                throw new IllegalArgumentException("send {\"variants\": [{\"version\": 1, \"weight\": 50}, "
                        + "{\"version\": 2, \"weight\": 50}], \"metric\": \"errorRate\", \"alpha\": 0.05}");
            }
            return ExperimentViews.ExperimentView.of(experiments.start(model, body.toPlan(), actor));
        });
    }

    @GetMapping("/models/{model}/experiments")
    @Operation(summary = "The model's experiments, newest first")
    @ApiResponse(responseCode = "200", description = "experiments", content = @Content(array = @ArraySchema(
            schema = @Schema(implementation = ExperimentViews.ExperimentSummaryView.class))))
    @ApiResponse(responseCode = "404", description = "unknown model", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<List<ExperimentViews.ExperimentSummaryView>> list(@PathVariable String model) {
        return calls.blocking(() -> experiments.list(model).stream().map(ExperimentViews.ExperimentSummaryView::of).toList());
    }

    @GetMapping("/models/{model}/experiments/{id}")
    @Operation(summary = "An experiment with per-variant statistics, intervals, comparisons with the control and the verdict",
            description = "Reading it is a look at the sequential test: looking often does not raise the false-positive rate. "
                    + "Statistics are this replica's, counted since it loaded the experiment.")
    @ApiResponse(responseCode = "200", description = "the experiment", content = @Content(schema = @Schema(implementation = ExperimentViews.ExperimentView.class)))
    @ApiResponse(responseCode = "404", description = "unknown model or experiment", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<ExperimentViews.ExperimentView> get(@PathVariable String model, @PathVariable long id) {
        return calls.blocking(() -> ExperimentViews.ExperimentView.of(experiments.get(model, id)));
    }

    @PostMapping("/models/{model}/experiments/{id}/promote")
    @Operation(summary = "Promote a version: its weight becomes 100 and the experiment ends (PROMOTED)")
    @ApiResponse(responseCode = "200", description = "the ended experiment", content = @Content(schema = @Schema(implementation = ExperimentViews.ExperimentView.class)))
    @ApiResponse(responseCode = "400", description = "the version is not a variant of the experiment",
            content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", description = "unknown model or experiment", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "409", description = "the experiment has ended, or has no winner and no version was named, "
            + "or the version is not deployed", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<ExperimentViews.ExperimentView> promote(@PathVariable String model, @PathVariable long id,
                                                        @RequestBody(required = false) ExperimentViews.PromoteRequest body) {
        return calls.asActor(actor -> ExperimentViews.ExperimentView.of(
                experiments.promote(model, id, body == null ? null : body.version(), actor)));
    }

    @PostMapping("/models/{model}/experiments/{id}/stop")
    @Operation(summary = "Stop an experiment without promotion (STOPPED); the routing stays as it is")
    @ApiResponse(responseCode = "200", description = "the ended experiment", content = @Content(schema = @Schema(implementation = ExperimentViews.ExperimentView.class)))
    @ApiResponse(responseCode = "404", description = "unknown model or experiment", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "409", description = "the experiment has ended", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<ExperimentViews.ExperimentView> stop(@PathVariable String model, @PathVariable long id) {
        return calls.asActor(actor -> ExperimentViews.ExperimentView.of(experiments.stop(model, id, actor)));
    }

    @DeleteMapping("/models/{model}/experiments/{id}")
    @Operation(summary = "Stop an experiment without promotion (same as POST …/stop)")
    @ApiResponse(responseCode = "200", description = "the ended experiment", content = @Content(schema = @Schema(implementation = ExperimentViews.ExperimentView.class)))
    @ApiResponse(responseCode = "404", description = "unknown model or experiment", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "409", description = "the experiment has ended", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<ExperimentViews.ExperimentView> delete(@PathVariable String model, @PathVariable long id) {
        return stop(model, id);
    }
}
