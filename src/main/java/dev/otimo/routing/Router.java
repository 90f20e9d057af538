package dev.otimo.routing;

import dev.otimo.serving.LiveDeployment;
import dev.otimo.serving.ServedModel;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/**
 * Chooses the deployment that serves a request naming no version. Without a routing policy the
 * newest serving version takes all traffic. With one, the request falls into one of 100 buckets
 * (by the hash of its sticky header's value, else at random) and the variant owning that bucket
 * serves it; a share of requests is also mirrored to the shadow version. A variant that does not
 * serve right now (undeployed, failed to load) hands its requests to the primary variant.
 */
@Component
public class Router {

    private final RoutingPolicies policies;

    public Router(RoutingPolicies policies) {
        this.policies = policies;
    }

    /**
     * The deployment an unversioned request would reach, or empty when no version of the model serves.
     *
     * @param header the request's header (or metadata) value by name, null when absent
     */
    public Optional<LiveDeployment> route(ServedModel model, UnaryOperator<String> header) {
        return select(model, header).map(Route::deployment);
    }

    /**
     * Where an unversioned request goes, or empty when no version of the model serves.
     *
     * @param header the request's header (or metadata) value by name, null when absent
     */
    public Optional<Route> select(ServedModel model, UnaryOperator<String> header) {
        ActivePolicy policy = policies.active(model.name());
        if (policy == null) {
            return newest(model).map(Route::direct);
        }
        int picked = policy.pick(bucket(policy, header));
        LiveDeployment chosen = serving(model, picked);
        LiveDeployment primary = serving(model, policy.primaryVersion());
        if (chosen == null) {
            chosen = primary != null ? primary : anyVariant(model, policy).orElse(newest(model).orElse(null));
        }
        if (chosen == null) {
            return Optional.empty();
        }
        LiveDeployment fallback = primary != null && primary != chosen ? primary : null;
        CanaryGuard guard = chosen.version() == picked ? policy.guard(picked) : null;
        return Optional.of(new Route(chosen, fallback, shadow(model, policy, chosen), guard));
    }

    private static int bucket(ActivePolicy policy, UnaryOperator<String> header) {
        String name = policy.stickyHeader();
        String value = name == null ? null : header.apply(name);
        return value != null ? StickyHash.bucket(value) : ThreadLocalRandom.current().nextInt(StickyHash.BUCKETS);
    }

    private static LiveDeployment shadow(ServedModel model, ActivePolicy policy, LiveDeployment chosen) {
        RoutingPolicy.Shadow shadow = policy.policy().shadow();
        if (shadow == null || shadow.version() == chosen.version() || shadow.percent() <= 0
                || ThreadLocalRandom.current().nextDouble(100) >= shadow.percent()) {
            return null;
        }
        return serving(model, shadow.version());
    }

    private static Optional<LiveDeployment> anyVariant(ServedModel model, ActivePolicy policy) {
        return policy.policy().variants().stream().filter(v -> v.weight() > 0)
                .map(v -> serving(model, v.version())).filter(d -> d != null).findFirst();
    }

    private static Optional<LiveDeployment> newest(ServedModel model) {
        List<LiveDeployment> serving = model.servingDeployments();
        return serving.isEmpty() ? Optional.empty() : Optional.of(serving.get(0));
    }

    private static LiveDeployment serving(ServedModel model, int version) {
        ServedModel.VersionEntry entry = model.versions().get(version);
        LiveDeployment d = entry == null ? null : entry.deployment();
        return d != null && d.isReady() ? d : null;
    }
}
