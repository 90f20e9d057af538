package dev.otimo.api.admin;

import dev.otimo.api.ApiException;
import dev.otimo.api.ErrorBody;
import dev.otimo.observability.AuditLog;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.util.List;

/** Admin API for the audit log: who changed what, when. */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "admin: audit", description = "the log of admin actions and of actions Otimo took by itself")
@SecurityRequirement(name = "basic")
@ApiResponse(responseCode = "401", description = "missing or wrong credentials", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
public class AuditAdminController {

    static final int MAX_LIMIT = 1000;

    private final AuditLog audit;

    private final AdminCalls calls;

    public AuditAdminController(AuditLog audit, AdminCalls calls) {
        this.audit = audit;
        this.calls = calls;
    }

    @GetMapping("/audit")
    @Operation(summary = "The newest audit entries, newest first", description = "Every admin write: model creation and deletion, uploads (accepted and rejected), version "
            + "deletion, deployments, routing changes, API keys, compressions and calibration sets, and guard roll-backs (actor 'system').")
    @ApiResponse(responseCode = "200", description = "entries, newest first", content = @Content(
            array = @ArraySchema(schema = @Schema(implementation = RoutingViews.AuditView.class))))
    @ApiResponse(responseCode = "400", description = "limit out of range", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<List<RoutingViews.AuditView>> audit(
            @Parameter(description = "how many entries, 1 to 1000") @RequestParam(defaultValue = "100") int limit,
            @Parameter(description = "only entries about this model") @RequestParam(required = false) String model) {
        if (limit < 1 || limit > MAX_LIMIT) {
            return Mono.error(ApiException.badRequest("limit must be 1 to " + MAX_LIMIT + ", was " + limit));
        }
        return calls.blocking(() -> audit.recent(limit, model).stream().map(RoutingViews.AuditView::of).toList());
    }
}
