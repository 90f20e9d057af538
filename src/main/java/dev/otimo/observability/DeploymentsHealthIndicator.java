package dev.otimo.observability;

import dev.otimo.serving.DeploymentManager;
import dev.otimo.serving.LiveDeployment;
import dev.otimo.serving.ServedModel;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Part of the readiness group: UP once every deployment in the registry has been loaded and warmed
 * up; lists each deployment's state and device. A deployment that failed to load is reported but
 * does not hold the others back; one whose runner thread stopped takes the replica out of service.
 */
@Component("deployments")
public class DeploymentsHealthIndicator implements ReactiveHealthIndicator {

    private final DeploymentManager deployments;

    public DeploymentsHealthIndicator(DeploymentManager deployments) {
        this.deployments = deployments;
    }

    @Override
    public Mono<Health> health() {
        Map<String, Object> details = new LinkedHashMap<>();
        for (ServedModel model : deployments.table().values()) {
            for (ServedModel.VersionEntry v : model.versions().values()) {
                LiveDeployment d = v.deployment();
                if (d != null) {
                    details.put(model.name() + "/" + v.number(), d.isReady() ? d.placement().describe() : "FAILED: " + d.error());
                }
            }
        }
        Health.Builder health = deployments.isReady() ? Health.up() : Health.outOfService().withDetail("reason",
                deployments.anyRunnerStopped() ? "a deployment's runner thread stopped" : "deployments loading");
        return Mono.just(health.withDetails(details).build());
    }
}
