package dev.otimo.routing;

import dev.otimo.registry.ModelRouting;
import dev.otimo.registry.RoutingVariant;

import java.time.Instant;
import java.util.List;

/** A model's routing policy as stored, with who changed it last and when. */
public record StoredPolicy(String model, RoutingPolicy policy, Instant updatedAt, String updatedBy) {

    static StoredPolicy of(ModelRouting row) {
        RoutingPolicy.Shadow shadow = row.getShadowVersion() == null ? null
                : new RoutingPolicy.Shadow(row.getShadowVersion(), row.getShadowPercent() == null ? 0 : row.getShadowPercent());
        RoutingPolicy.Guard guard = row.getGuardWindowSeconds() == null ? null
                : new RoutingPolicy.Guard(row.getGuardMaxErrorRate(), row.getGuardMaxP99Millis(), row.getGuardWindowSeconds());
        RoutingPolicy policy = new RoutingPolicy(row.getVariants().stream()
                .map(v -> new RoutingPolicy.Variant(v.getVersion(), v.getWeight())).toList(),
                row.getStickyHeader(), shadow, guard);
        return new StoredPolicy(row.getModel().getName(), policy, row.getUpdatedAt(), row.getUpdatedBy());
    }

    /** The policy's variants as stored rows, in order. */
    static List<RoutingVariant> rows(RoutingPolicy policy) {
        return policy.variants().stream().map(v -> new RoutingVariant(v.version(), v.weight())).toList();
    }
}
