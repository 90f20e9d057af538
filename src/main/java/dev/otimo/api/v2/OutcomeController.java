package dev.otimo.api.v2;

import dev.otimo.api.ApiException;
import dev.otimo.api.ErrorBody;
import dev.otimo.experiments.OutcomeJoin;
import dev.otimo.security.ApiKeyVerifier;
import dev.otimo.serving.DeploymentManager;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Outcome feedback for A/B experiments: the observed label of requests answered earlier, joined by request id to
 * the variant that answered. In memory; never blocks, so it runs on the event loop.
 */
@RestController
@Tag(name = "v2 inference", description = "Open Inference Protocol v2 (KServe / Triton)")
public class OutcomeController {

    /** Outcomes one call may report. */
    static final int MAX_OUTCOMES = 10_000;

    private final DeploymentManager deployments;
    private final ApiKeyVerifier apiKeys;
    private final OutcomeJoin join;

    public OutcomeController(DeploymentManager deployments, ApiKeyVerifier apiKeys, OutcomeJoin join) {
        this.deployments = deployments;
        this.apiKeys = apiKeys;
        this.join = join;
    }

    /** The answer: outcomes joined, and ids no answer was found for (unknown) or found too late (expired). */
    @Schema(name = "OutcomeTally")
    public record Tally(int accepted, int unknown, int expired) {
    }

    @Schema(name = "Outcome")
    public record OutcomeBody(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "the id of the v2 request") String id,
                              @Schema(requiredMode = Schema.RequiredMode.REQUIRED, oneOf = {Double.class, String.class, Boolean.class},
                                      description = "the observed label: the class index (or class string) for a classifier, "
                                              + "the value for a numeric output") Object label) {
    }

    @PostMapping(path = "/v2/models/{model}/outcomes", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Report observed outcomes of earlier requests (one, or an array of up to 10,000)",
            description = "Each is joined to the experiment variant that answered the request with that id, and scores its "
                    + "prediction: top-1 of the first output for a classifier, the absolute error for a single numeric output. "
                    + "Ids without a kept answer are counted as unknown, answers older than otimo.experiments.outcome-ttl as "
                    + "expired; neither is an error.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(oneOf = {OutcomeBody.class, OutcomeBody[].class}))))
    @ApiResponse(responseCode = "202", description = "counted", content = @Content(schema = @Schema(implementation = Tally.class)))
    @ApiResponse(responseCode = "400", description = "not an outcome or an array of them", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "401", description = "API keys are required and X-Api-Key holds none or a wrong one",
            content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", description = "unknown model", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Tally outcomes(@PathVariable String model, @Parameter(hidden = true) @RequestBody(required = false) JsonNode body,
                          @Parameter(hidden = true) ServerWebExchange exchange) {
        ApiKeyGate.check(apiKeys, exchange.getRequest().getHeaders());
        if (deployments.model(model).isEmpty()) {
            throw ApiException.notFound("unknown model '" + model + "'");
        }
        OutcomeJoin.Tally tally = join.join(model, parse(body));
        return new Tally(tally.accepted(), tally.unknown(), tally.expired());
    }

    private static List<OutcomeJoin.Reported> parse(JsonNode body) {
        if (body == null || !(body.isObject() || body.isArray())) {
            throw ApiException.badRequest("send {\"id\": \"<request id>\", \"label\": <number, string or boolean>} or an array of them");
        }
        if (body.isObject()) {
            return List.of(outcome(body, -1));
        }
        if (body.size() > MAX_OUTCOMES) {
            throw ApiException.badRequest("at most " + MAX_OUTCOMES + " outcomes per call, got " + body.size());
        }
        List<OutcomeJoin.Reported> all = new ArrayList<>(body.size());
        for (int i = 0; i < body.size(); i++) {
            all.add(outcome(body.get(i), i));
        }
        return all;
    }

    private static OutcomeJoin.Reported outcome(JsonNode node, int index) {
        String where = index < 0 ? "" : "outcome " + index + ": ";
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest(where + "each outcome is an object {\"id\": \"<request id>\", \"label\": ...}");
        }
        JsonNode id = node.get("id");
        if (id == null || !id.isString() || id.asString().isEmpty()) {
            throw ApiException.badRequest(where + "\"id\" must be the request's id, a non-empty string");
        }
        JsonNode label = node.get("label");
        Object value;
        if (label == null || label.isNull()) {
            throw ApiException.badRequest(where + "\"label\" is missing: send the observed class or value");
        } else if (label.isBoolean()) {
            value = label.asBoolean();
        } else if (label.isIntegralNumber() && label.canConvertToLong()) {
            value = label.asLong();
        } else if (label.isNumber()) {
            value = label.asDouble();
        } else if (label.isString()) {
            value = label.asString();
        } else {
            throw ApiException.badRequest(where + "\"label\" must be a number, a string or a boolean");
        }
        return new OutcomeJoin.Reported(id.asString(), value);
    }
}
