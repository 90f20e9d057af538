package dev.otimo.api.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.otimo.registry.AuditEntry;
import dev.otimo.routing.RoutingPolicy;
import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** JSON bodies of the routing and audit endpoints. */
public final class RoutingViews {

    private RoutingViews() {
    }

    @Schema(name = "RoutingPolicyRequest", description = "how unversioned requests are spread over the model's deployed versions")
    public record RoutingRequest(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "versions and their weights in percent, summing to 100")
            List<VariantView> variants,
            @Schema(example = "X-User-Id", nullable = true,
                    description = "requests carrying this header with the same value reach the same variant while the weights stay")
            String stickyHeader,
            @Schema(nullable = true) ShadowView shadow,
            @Schema(nullable = true) GuardView guard) {

        /** The policy this body describes; {@link IllegalArgumentException} (400) for missing fields. */
        RoutingPolicy toPolicy() {
            if (variants == null) {
                throw new IllegalArgumentException("send {\"variants\": [{\"version\": 1, \"weight\": 100}], ...}");
            }
            List<RoutingPolicy.Variant> list = variants.stream().map(v -> {
                if (v == null || v.version() == null || v.weight() == null) {
                    throw new IllegalArgumentException("every variant needs a version and a weight, e.g. {\"version\": 2, \"weight\": 20}");
                }
                return new RoutingPolicy.Variant(v.version(), v.weight());
            }).toList();
            RoutingPolicy.Shadow s = null;
            if (shadow != null) {
                if (shadow.version() == null || shadow.percent() == null) {
                    throw new IllegalArgumentException("shadow needs a version and a percent, e.g. {\"version\": 3, \"percent\": 10}");
                }
                s = new RoutingPolicy.Shadow(shadow.version(), shadow.percent());
            }
            RoutingPolicy.Guard g = null;
            if (guard != null) {
                g = new RoutingPolicy.Guard(guard.maxErrorRate(), guard.maxP99Millis(),
                        guard.windowSeconds() == null ? GuardView.DEFAULT_WINDOW_SECONDS : guard.windowSeconds());
            }
            String sticky = stickyHeader == null || stickyHeader.isBlank() ? null : stickyHeader.trim();
            return new RoutingPolicy(list, sticky, s, g).validated();
        }
    }

    @Schema(name = "RoutingVariant")
    public record VariantView(@Schema(example = "2", requiredMode = Schema.RequiredMode.REQUIRED) Integer version,
                              @Schema(example = "20", minimum = "0", maximum = "100", requiredMode = Schema.RequiredMode.REQUIRED)
                              Integer weight) {
    }

    @Schema(name = "ShadowTraffic", description = "a copy of this share of unversioned requests goes to the shadow version; "
            + "clients never wait for it nor see its answers")
    public record ShadowView(@Schema(example = "3", requiredMode = Schema.RequiredMode.REQUIRED) Integer version,
                             @Schema(example = "10", minimum = "0", maximum = "100", requiredMode = Schema.RequiredMode.REQUIRED)
                             Double percent) {
    }

    @Schema(name = "CanaryGuard", description = "every variant but the heaviest is watched over a sliding window; one that "
            + "reaches either limit gets weight 0 (its weight goes to the heaviest) and the change is audited")
    public record GuardView(@Schema(example = "0.05", minimum = "0", maximum = "1", nullable = true,
                                    description = "share of failed requests (errors, time-outs, inputs the model refused)")
                            Double maxErrorRate,
                            @Schema(example = "250", minimum = "1", nullable = true, description = "99th percentile of inference time")
                            Long maxP99Millis,
                            @Schema(example = "60", minimum = "1", maximum = "3600", description = "sliding window; default 60")
                            Integer windowSeconds) {

        static final int DEFAULT_WINDOW_SECONDS = 60;
    }

    @Schema(name = "RoutingPolicy")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record RoutingView(String model, List<VariantView> variants, String stickyHeader, ShadowView shadow, GuardView guard,
                              @Schema(description = "the heaviest variant: where failing variants fall back to") int primaryVersion,
                              Instant updatedAt, String updatedBy,
                              @Schema(description = "routed traffic of each variant over the last minute") List<VariantStatsView> variantStats,
                              @Schema(description = "changes and guard roll-backs, newest first") List<EventView> events) {
    }

    @Schema(name = "VariantStats")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record VariantStatsView(int version, double requestsPerSecond,
                                   @Schema(nullable = true, description = "null when the variant served nothing in the last minute")
                                   Double p99Millis) {
    }

    @Schema(name = "RoutingEvent")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record EventView(Instant at,
                            @Schema(allowableValues = {"routing.update", "routing.delete", "guard.trip"}) String kind,
                            @Schema(nullable = true) Integer version, String detail) {

        static EventView of(AuditEntry e) {
            return new EventView(e.getOccurredAt(), e.getAction(), e.getVersionNumber(), e.getDetail());
        }
    }

    @Schema(name = "AuditEntry")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record AuditView(long id, Instant at,
                            @Schema(description = "admin user name, or 'system' for actions Otimo took by itself") String actor,
                            @Schema(example = "deployment.update") String action,
                            @Schema(example = "iris/versions/2", nullable = true) String target,
                            @Schema(nullable = true) String model, @Schema(nullable = true) Integer version,
                            @Schema(nullable = true) String detail) {

        static AuditView of(AuditEntry e) {
            String target = e.getModelName() == null ? null
                    : e.getVersionNumber() == null ? e.getModelName() : e.getModelName() + "/versions/" + e.getVersionNumber();
            return new AuditView(e.getId(), e.getOccurredAt(), e.getActor(), e.getAction(), target, e.getModelName(),
                    e.getVersionNumber(), e.getDetail());
        }
    }
}
