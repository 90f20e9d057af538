package dev.otimo.routing;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A routing policy as the hot path uses it: cumulative weights over 100 buckets, the primary
 * version, and a guard for each watched variant. Immutable apart from the guards' windows; a
 * changed policy is compiled anew.
 */
final class ActivePolicy {

    /** Receives a guard's breach: version and what was breached. */
    interface BreachHandler {
        void breached(int version, String detail);
    }

    private final RoutingPolicy policy;
    private final Instant updatedAt;
    private final int[] versions;
    private final int[] upperBounds;
    private final int primary;
    private final Map<Integer, CanaryGuard> guards;

    ActivePolicy(String model, RoutingPolicy policy, Instant updatedAt, int guardMinimumCalls, BreachHandler onBreach) {
        this.policy = policy;
        this.updatedAt = updatedAt;
        List<RoutingPolicy.Variant> variants = policy.variants();
        this.versions = new int[variants.size()];
        this.upperBounds = new int[variants.size()];
        int cumulative = 0;
        for (int i = 0; i < variants.size(); i++) {
            cumulative += variants.get(i).weight();
            versions[i] = variants.get(i).version();
            upperBounds[i] = cumulative;
        }
        this.primary = policy.primaryVersion();
        Map<Integer, CanaryGuard> watched = new HashMap<>();
        if (policy.guard() != null) {
            for (RoutingPolicy.Variant v : variants) {
                if (v.version() != primary && v.weight() > 0) {
                    watched.put(v.version(), new CanaryGuard(model, v.version(), policy.guard(), guardMinimumCalls,
                            detail -> onBreach.breached(v.version(), detail)));
                }
            }
        }
        this.guards = Map.copyOf(watched);
    }

    RoutingPolicy policy() {
        return policy;
    }

    Instant updatedAt() {
        return updatedAt;
    }

    int primaryVersion() {
        return primary;
    }

    String stickyHeader() {
        return policy.stickyHeader();
    }

    /** The version owning {@code bucket} (0 to 99): variants own consecutive runs of buckets, as many as their weight. */
    int pick(int bucket) {
        for (int i = 0; i < upperBounds.length; i++) {
            if (bucket < upperBounds[i]) {
                return versions[i];
            }
        }
        return primary;
    }

    int weight(int version) {
        for (RoutingPolicy.Variant v : policy.variants()) {
            if (v.version() == version) {
                return v.weight();
            }
        }
        return 0;
    }

    /** The guards of the watched variants. */
    java.util.Collection<CanaryGuard> guards() {
        return guards.values();
    }

    /** The guard watching {@code version}, or null when it is not watched. */
    CanaryGuard guard(int version) {
        return guards.get(version);
    }
}
