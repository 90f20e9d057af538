package dev.otimo.api.admin;

import dev.otimo.api.ApiException;
import dev.otimo.api.ErrorBody;
import dev.otimo.observability.AuditLog;
import dev.otimo.observability.VariantStats;
import dev.otimo.registry.NotFoundException;
import dev.otimo.routing.RoutingPolicies;
import dev.otimo.routing.RoutingPolicy;
import dev.otimo.routing.StoredPolicy;
import io.swagger.v3.oas.annotations.Operation;
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
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * Admin API for a model's routing policy: weighted variants, sticky header, shadow traffic and
 * canary guard. Thin: parses, runs the policy store's blocking calls on {@code boundedElastic},
 * and adds live variant figures and the model's routing events to the view.
 */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "admin: routing", description = "A/B splits, sticky routing, shadow traffic and the canary guard")
@SecurityRequirement(name = "basic")
@ApiResponse(responseCode = "401", description = "missing or wrong credentials", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
public class RoutingAdminController {

    private static final int EVENTS_SHOWN = 50;

    private final RoutingPolicies policies;
    private final VariantStats stats;
    private final AuditLog audit;

    private final AdminCalls calls;

    public RoutingAdminController(RoutingPolicies policies, VariantStats stats, AuditLog audit, AdminCalls calls) {
        this.policies = policies;
        this.stats = stats;
        this.audit = audit;
        this.calls = calls;
    }

    @PutMapping(path = "/models/{model}/routing", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Set the model's routing policy (replaces any earlier one)", description =
            "Unversioned v2 requests follow the weights; requests to /versions/{v} bypass routing. Every version named "
                    + "(variants and shadow) must be deployed. The policy is live on this server when the call returns.")
    @ApiResponse(responseCode = "200", description = "the stored policy",
            content = @Content(schema = @Schema(implementation = RoutingViews.RoutingView.class)))
    @ApiResponse(responseCode = "400", description = "weights not summing to 100, bad percent, bad guard limits, missing fields",
            content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", description = "unknown model", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "409", description = "a version named is unknown or not deployed",
            content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<RoutingViews.RoutingView> put(@PathVariable String model,
                                              @RequestBody(required = false) RoutingViews.RoutingRequest body) {
        return AdminActor.current().flatMap(actor -> calls.blocking(() -> {
            if (body == null) {
                throw ApiException.badRequest("send {\"variants\": [{\"version\": 1, \"weight\": 100}], \"stickyHeader\": null, "
                        + "\"shadow\": null, \"guard\": null}");
            }
            RoutingPolicy policy = body.toPolicy();
            return view(policies.save(model, policy, actor));
        }));
    }

    @GetMapping("/models/{model}/routing")
    @Operation(summary = "The model's routing policy, each variant's traffic over the last minute and the routing events")
    @ApiResponse(responseCode = "200", description = "the policy with live figures",
            content = @Content(schema = @Schema(implementation = RoutingViews.RoutingView.class)))
    @ApiResponse(responseCode = "404", description = "unknown model",
            content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<RoutingViews.RoutingView> get(@PathVariable String model) {
        // a model without a policy answers an empty one: unversioned requests go to its newest serving version
        return calls.blocking(() -> policies.find(model).map(this::view).orElseGet(() -> noPolicy(model)));
    }

    private RoutingViews.RoutingView noPolicy(String model) {
        return new RoutingViews.RoutingView(model, List.of(), null, null, null, 0, null, null, List.of(),
                audit.recent(EVENTS_SHOWN, model, RoutingPolicies.EVENT_ACTIONS).stream().map(RoutingViews.EventView::of).toList());
    }

    @DeleteMapping("/models/{model}/routing")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Remove the model's routing policy: unversioned requests go to the newest serving version again")
    @ApiResponse(responseCode = "204", description = "removed")
    @ApiResponse(responseCode = "404", description = "unknown model, or the model has no routing policy",
            content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<Void> delete(@PathVariable String model) {
        return AdminActor.current().flatMap(actor -> calls.blocking(() -> {
            policies.delete(model, actor);
            return true;
        })).then();
    }

    private RoutingViews.RoutingView view(StoredPolicy stored) {
        RoutingPolicy p = stored.policy();
        String model = stored.model();
        return new RoutingViews.RoutingView(model,
                p.variants().stream().map(v -> new RoutingViews.VariantView(v.version(), v.weight())).toList(),
                p.stickyHeader(),
                p.shadow() == null ? null : new RoutingViews.ShadowView(p.shadow().version(), p.shadow().percent()),
                p.guard() == null ? null : new RoutingViews.GuardView(p.guard().maxErrorRate(), p.guard().maxP99Millis(),
                        p.guard().windowSeconds()),
                p.primaryVersion(), stored.updatedAt(), stored.updatedBy(),
                p.variants().stream().map(v -> {
                    VariantStats.Snapshot s = stats.snapshot(model, v.version());
                    return new RoutingViews.VariantStatsView(v.version(), s.requestsPerSecond(), s.p99Millis());
                }).toList(),
                audit.recent(EVENTS_SHOWN, model, RoutingPolicies.EVENT_ACTIONS).stream().map(RoutingViews.EventView::of).toList());
    }
}
