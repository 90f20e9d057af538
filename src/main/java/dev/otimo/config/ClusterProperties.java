package dev.otimo.config;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * How replicas sharing one database keep in step, under {@code otimo.cluster.*}.
 *
 * @param notifications     on PostgreSQL, announce every change with NOTIFY and apply the other
 *                          replicas' changes as they arrive (LISTEN); ignored on other databases
 * @param reconcileInterval the safety net: reload the registry this often even without a notification
 *                          (0 turns it off)
 * @param reconnectDelay    wait before listening again after the listening connection was lost
 */
@Validated
@ConfigurationProperties("otimo.cluster")
public record ClusterProperties(@DefaultValue("true") boolean notifications,
                                @DefaultValue("10s") @NotNull Duration reconcileInterval,
                                @DefaultValue("1s") @NotNull Duration reconnectDelay) {

    public ClusterProperties {
        if (reconcileInterval != null && reconcileInterval.isNegative()) {
            throw new IllegalArgumentException("otimo.cluster.reconcile-interval must not be negative");
        }
        if (reconnectDelay != null && (reconnectDelay.isNegative() || reconnectDelay.isZero())) {
            throw new IllegalArgumentException("otimo.cluster.reconnect-delay must be positive");
        }
    }
}
