package dev.otimo.experiments;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.otimo.config.ExperimentProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * The answers of experiment traffic that outcomes reported later can be joined to, keyed by model and
 * request id: which experiment and variant answered, and what it predicted. Bounded in count
 * ({@code otimo.experiments.outcome-capacity}) and in age ({@code outcome-ttl}); in memory on the replica that
 * answered, so an outcome must reach that replica (or it is counted as unknown).
 *
 * <p>Why two caches: an outcome that comes too late must be counted as expired, not unknown. An answer is
 * kept physically twice its time to live and judged by its own age, so one reported between one and two TTLs
 * late is found and called expired; one evicted (by size, or past two TTLs) leaves a tombstone, itself bounded,
 * that still says "expired" for another TTL. Each answer is joined once: taking it removes it.
 */
@Component
public class OutcomeStore {

    /** Who answered a request: the experiment, the variant and its prediction, and when (ticker nanos). */
    public record Answer(long experimentId, int version, Prediction prediction, long answeredAt) {
    }

    /** What looking up a reported request id found. */
    public sealed interface Lookup permits Found, Expired, Unknown {
    }

    public record Found(Answer answer) implements Lookup {
    }

    public record Expired() implements Lookup {
    }

    public record Unknown() implements Lookup {
    }

    private static final Lookup EXPIRED = new Expired();
    private static final Lookup UNKNOWN = new Unknown();

    private final Ticker ticker;
    private final long ttlNanos;
    private final Cache<String, Answer> answers;
    private final Cache<String, Boolean> dropped;

    @Autowired
    public OutcomeStore(ExperimentProperties properties) {
        // evictions run on the common pool, never on the event loop that recorded the answer
        this(properties.outcomeTtl(), properties.outcomeCapacity(), Ticker.systemTicker(), ForkJoinPool.commonPool());
    }

    public OutcomeStore(Duration ttl, int capacity, Ticker ticker, Executor maintenance) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("outcome-ttl must be positive, was " + ttl);
        }
        this.ticker = ticker;
        this.ttlNanos = ttl.toNanos();
        this.dropped = Caffeine.newBuilder().maximumSize(capacity).expireAfterWrite(ttl).ticker(ticker)
                .executor(maintenance).build();
        this.answers = Caffeine.newBuilder()
                .executor(maintenance)
                .maximumSize(capacity)
                .expireAfterWrite(ttl.multipliedBy(2))
                .ticker(ticker)
                .<String, Answer>removalListener((key, answer, cause) -> {
                    if (key != null && cause.wasEvicted()) {
                        dropped.put(key, Boolean.TRUE);
                    }
                })
                .build();
    }

    /** Keeps what answered request {@code id} of {@code model}. Never blocks. */
    public void put(String model, String id, long experimentId, int version, Prediction prediction) {
        answers.put(key(model, id), new Answer(experimentId, version, prediction, ticker.read()));
    }

    /** Finds and removes the answer to request {@code id}, or says it expired or was never kept. */
    public Lookup take(String model, String id) {
        String key = key(model, id);
        Answer answer = answers.asMap().remove(key);
        if (answer != null) {
            return ticker.read() - answer.answeredAt() > ttlNanos ? EXPIRED : new Found(answer);
        }
        return dropped.getIfPresent(key) != null ? EXPIRED : UNKNOWN;
    }

    /** Runs pending evictions now (their tombstones included); for tests that move the ticker. */
    void cleanUp() {
        answers.cleanUp();
        dropped.cleanUp();
    }

    private static String key(String model, String id) {
        return model + '\0' + id;
    }
}
