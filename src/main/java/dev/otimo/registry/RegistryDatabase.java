package dev.otimo.registry;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.net.ConnectException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Admin work that reads or writes the registry database goes through here. While the database
 * cannot be reached, each call fails within the connection pool's timeout with
 * {@link RegistryUnavailableException}; after a few such failures a circuit breaker opens and calls
 * fail at once, until a trial call every two seconds finds the database back. Failures that are not
 * about reaching the database (a constraint, a missing row) pass through untouched and never open
 * the breaker. Serving never goes through here: deployments keep answering during an outage.
 */
@Component
public class RegistryDatabase {

    private final CircuitBreaker breaker = CircuitBreaker.of("registry-database", CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(4)
            .minimumNumberOfCalls(2)
            .failureRateThreshold(50)
            .waitDurationInOpenState(Duration.ofSeconds(RegistryUnavailableException.RETRY_AFTER_SECONDS))
            .permittedNumberOfCallsInHalfOpenState(1)
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            .recordException(e -> e instanceof RegistryUnavailableException)
            .build());

    private final DataSource dataSource;

    public RegistryDatabase(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Runs {@code work} (blocking: call it off the event loop) under the breaker.
     *
     * @throws RegistryUnavailableException when the breaker is open, or when the work failed because
     *                                      the database could not be reached
     */
    public <T> T call(Callable<T> work) throws Exception {
        if (!breaker.tryAcquirePermission()) {
            throw new RegistryUnavailableException("the registry database is unreachable; try again shortly",
                    CallNotPermittedException.createCallNotPermittedException(breaker));
        }
        long start = System.nanoTime();
        try {
            T result = work.call();
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return result;
        } catch (Throwable e) {
            Throwable outcome = classify(e);
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, outcome);
            if (outcome instanceof Exception x) {
                throw x;
            }
            throw (Error) outcome;
        }
    }

    /**
     * A failure that says it could not reach the database is one. A failure inside the persistence
     * layer that does not say (a connection that closed under a transaction surfaces as a failed
     * rollback) is one when a fresh connection cannot be had either.
     */
    private Throwable classify(Throwable e) {
        if (e instanceof RegistryUnavailableException) {
            return e;
        }
        if (isUnreachable(e) || (fromPersistence(e) && !reachable())) {
            return new RegistryUnavailableException("the registry database is unreachable: " + rootMessage(e), e);
        }
        return e;
    }

    private boolean reachable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    private static boolean fromPersistence(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException || t instanceof org.springframework.dao.DataAccessException
                    || t instanceof org.springframework.transaction.TransactionException
                    || t instanceof jakarta.persistence.PersistenceException || t instanceof org.hibernate.HibernateException) {
                return true;
            }
        }
        return false;
    }

    public CircuitBreaker.State state() {
        return breaker.getState();
    }

    /**
     * Whether a failure means the database could not be reached (connection refused, timed out
     * waiting for a connection, connection lost, server shutting down), anywhere in its causes.
     */
    public static boolean isUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RegistryUnavailableException || t instanceof SQLTransientConnectionException
                    || t instanceof SQLNonTransientConnectionException || t instanceof SQLRecoverableException
                    || t instanceof ConnectException || t instanceof DataAccessResourceFailureException
                    || t instanceof org.hibernate.exception.JDBCConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // class 08: connection exception; 57P01-57P03: the server is shutting down or starting
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null ? root.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
