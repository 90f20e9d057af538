package dev.otimo.cluster;

import dev.otimo.registry.RegistryChanged;
import dev.otimo.security.ApiKeysChanged;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Applies the changes other replicas announce: a dedicated thread holds a dedicated PostgreSQL
 * connection that LISTENs on the change channels, and republishes each notice here as a remote
 * {@link RegistryChanged} or {@link ApiKeysChanged}. When the connection is lost it connects again
 * and reconciles everything once, since notices sent meanwhile are gone.
 */
class ChangeListener {

    private static final Logger log = LoggerFactory.getLogger(ChangeListener.class);
    private static final int WAIT_MILLIS = 500;
    private static final long CHECK_NANOS = Duration.ofSeconds(30).toNanos();

    /** Opens the listening connection. */
    @FunctionalInterface
    interface Connector {
        Connection connect() throws SQLException;
    }

    private final Connector connector;
    private final String replica;
    private final ApplicationEventPublisher events;
    private final Runnable resync;
    private final Duration reconnectDelay;
    private volatile boolean running;
    private volatile boolean listening;
    private volatile Connection current;
    private Thread thread;

    /**
     * @param replica this replica's id: notices it sent itself are skipped
     * @param resync  reconciles everything (after a reconnect)
     */
    ChangeListener(Connector connector, String replica, ApplicationEventPublisher events, Runnable resync,
                          Duration reconnectDelay) {
        this.connector = connector;
        this.replica = replica;
        this.events = events;
        this.resync = resync;
        this.reconnectDelay = reconnectDelay;
    }

    /** True while the listening connection is up. */
    boolean isListening() {
        return listening;
    }

    synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::listen, "otimo-listener");
        thread.setDaemon(true);
        thread.start();
    }

    synchronized void stop() {
        running = false;
        closeQuietly(current);
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(5).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    private void listen() {
        boolean missedSome = false;
        while (running) {
            try (Connection connection = connector.connect()) {
                current = connection;
                PGConnection pg = connection.unwrap(PGConnection.class);
                try (Statement s = connection.createStatement()) {
                    s.execute("LISTEN " + ChangeNotice.REGISTRY);
                    s.execute("LISTEN " + ChangeNotice.API_KEYS);
                }
                listening = true;
                if (missedSome) {
                    log.info("listening for other replicas' changes again; reconciling what was missed");
                    resync.run();
                } else {
                    log.info("listening for other replicas' changes (replica {})", replica);
                }
                long checked = System.nanoTime();
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            deliver(n);
                        }
                    }
                    // a connection that died without a word (network gone) only shows when it is used
                    if (System.nanoTime() - checked > CHECK_NANOS) {
                        if (!connection.isValid(5)) {
                            throw new SQLException("the listening connection stopped answering");
                        }
                        checked = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                listening = false;
                if (!running) {
                    break;
                }
                missedSome = true;
                log.warn("not listening for other replicas' changes ({}); trying again in {} ms", e.getMessage(),
                        reconnectDelay.toMillis());
                pause();
            } finally {
                listening = false;
                current = null;
            }
        }
    }

    private void deliver(PGNotification notification) {
        ChangeNotice notice = ChangeNotice.parse(notification.getName(), notification.getParameter());
        if (notice == null || notice.origin().equals(replica)) {
            return;
        }
        try {
            switch (notice.channel()) {
                case ChangeNotice.REGISTRY -> events.publishEvent(
                        new RegistryChanged(notice.subject(), "changed through replica " + notice.origin(), true));
                case ChangeNotice.API_KEYS -> events.publishEvent(new ApiKeysChanged(true));
                default -> log.debug("ignoring notification on channel {}", notice.channel());
            }
        } catch (RuntimeException e) {
            // one failed listener must not cost the connection; the periodic reconcile tries again
            log.warn("applying a change to '{}' from replica {} failed: {}", notice.subject(), notice.origin(), e.toString());
        }
    }

    private void pause() {
        try {
            Thread.sleep(reconnectDelay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("closing the listening connection: {}", e.getMessage());
        }
    }
}
