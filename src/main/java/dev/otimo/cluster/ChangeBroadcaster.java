package dev.otimo.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Announces changes to the other replicas with PostgreSQL's NOTIFY. The notices go out in order on
 * one thread of their own, outside any transaction (a NOTIFY is delivered when its own transaction
 * commits, and the caller's may already be over).
 */
class ChangeBroadcaster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChangeBroadcaster.class);

    private final JdbcTemplate jdbc;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "otimo-notify");
        t.setDaemon(true);
        return t;
    });

    ChangeBroadcaster(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Sends the notice on its own thread, after those announced before it. */
    void announce(ChangeNotice notice) {
        try {
            sender.execute(() -> {
                try {
                    jdbc.query("select pg_notify(?, ?)", rs -> null, notice.channel(), notice.payload());
                } catch (DataAccessException e) {
                    // the other replicas still catch up with their periodic reconcile
                    log.warn("could not notify the other replicas of a change to '{}': {}", notice.subject(), e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("shutting down; change to '{}' not announced", notice.subject());
        }
    }

    @Override
    public void close() {
        sender.shutdown();
    }
}
