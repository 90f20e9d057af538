package dev.otimo.cluster;

import dev.otimo.config.ClusterProperties;
import dev.otimo.config.DatabaseProduct;
import dev.otimo.registry.RegistryChanged;
import dev.otimo.experiments.LiveExperiments;
import dev.otimo.routing.RoutingPolicies;
import dev.otimo.security.ApiKeyVerifier;
import dev.otimo.security.ApiKeysChanged;
import dev.otimo.serving.DeploymentManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.UUID;

/**
 * Keeps this replica in step with the others on the same database. On PostgreSQL, changes made here
 * are announced with NOTIFY once committed, and changes made elsewhere arrive by LISTEN and are
 * applied as remote events. Whatever the database, everything is reconciled periodically as a
 * safety net. On H2 (the embedded default, one instance) there are no notifications.
 */
@Component
public class ReplicaSync implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ReplicaSync.class);

    private final String replica = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final ChangeBroadcaster broadcaster;
    private final ChangeListener listener;
    private final PeriodicReconcile periodic;
    private final ApiKeyVerifier apiKeys;
    private final DeploymentManager deployments;
    private final RoutingPolicies routing;
    private final LiveExperiments experiments;
    private volatile boolean running;

    public ReplicaSync(DataSource dataSource, ObjectProvider<DataSourceProperties> dataSourceProperties, JdbcTemplate jdbc,
                       ClusterProperties properties, DeploymentManager deployments, ApiKeyVerifier apiKeys,
                       RoutingPolicies routing, LiveExperiments experiments, ApplicationEventPublisher events) {
        this.apiKeys = apiKeys;
        this.experiments = experiments;
        this.deployments = deployments;
        this.routing = routing;
        Runnable resync = this::resync;
        this.periodic = new PeriodicReconcile(resync, properties.reconcileInterval());
        DataSourceProperties connection = dataSourceProperties.getIfAvailable();
        boolean notifications = properties.notifications() && connection != null
                && DatabaseProduct.of(dataSource) == DatabaseProduct.POSTGRESQL;
        if (notifications) {
            this.broadcaster = new ChangeBroadcaster(jdbc);
            this.listener = new ChangeListener(connector(connection), replica, events, resync, properties.reconnectDelay());
        } else {
            this.broadcaster = null;
            this.listener = null;
        }
        String safetyNet = properties.reconcileInterval().isZero() ? "no periodic reconcile"
                : "a reconcile every " + properties.reconcileInterval().toMillis() + " ms";
        log.info("replica {}: {}{}", replica, notifications ? "changes travel by LISTEN/NOTIFY, " : "no change notifications, ",
                safetyNet);
    }

    /** A connection of its own, outside the pool: it is held for as long as the replica runs. */
    private ChangeListener.Connector connector(DataSourceProperties connection) {
        String url = connection.determineUrl();
        Properties info = new Properties();
        if (connection.determineUsername() != null) {
            info.setProperty("user", connection.determineUsername());
        }
        if (connection.determinePassword() != null) {
            info.setProperty("password", connection.determinePassword());
        }
        info.setProperty("ApplicationName", "otimo-listener-" + replica);
        info.setProperty("tcpKeepAlive", "true");
        info.setProperty("connectTimeout", "10");
        org.postgresql.Driver driver = new org.postgresql.Driver();
        return () -> {
            Connection c = driver.connect(url, info);
            if (c == null) {
                throw new SQLException("the PostgreSQL driver does not accept the datasource URL");
            }
            return c;
        };
    }

    /**
     * Brings every cache a notification would refresh up to date with the database: API keys,
     * deployments, routing policies and open experiments. Run periodically and after the listening connection returns.
     */
    public void resync() {
        apiKeys.refresh();
        deployments.reconcile().join();
        routing.reload();
        experiments.reload();
    }

    /** This replica's id, as its notices carry it and as its listening connection names itself. */
    public String replica() {
        return replica;
    }

    /** True while the listening connection is up (always false without notifications). */
    public boolean isListening() {
        return listener != null && listener.isListening();
    }

    @TransactionalEventListener(fallbackExecution = true)
    public void onRegistryChanged(RegistryChanged event) {
        if (broadcaster != null && !event.remote()) {
            broadcaster.announce(new ChangeNotice(ChangeNotice.REGISTRY, replica, event.model()));
        }
    }

    @TransactionalEventListener(fallbackExecution = true)
    public void onApiKeysChanged(ApiKeysChanged event) {
        if (broadcaster != null && !event.remote()) {
            broadcaster.announce(new ChangeNotice(ChangeNotice.API_KEYS, replica, ""));
        }
    }

    @Override
    public void start() {
        running = true;
        if (listener != null) {
            listener.start();
        }
        periodic.start();
    }

    @Override
    public void stop() {
        running = false;
        periodic.stop();
        if (listener != null) {
            listener.stop();
        }
    }

    @jakarta.annotation.PreDestroy
    void closeBroadcaster() {
        if (broadcaster != null) {
            broadcaster.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
