package dev.otimo.support;

import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds Jackson's deserializer-creation lock of one mapper, so a test can show which reads would
 * wait for it. Jackson builds a type's first deserializer under that lock; an event-loop thread
 * that meets it held parks, and BlockHound reports the park.
 */
public final class DeserializerLock {

    private static volatile CountDownLatch entered;
    private static volatile CountDownLatch release;

    private DeserializerLock() {
    }

    /** A type whose deserializer takes as long to build as the test wants: it waits for {@link #release}. */
    @JsonDeserialize(using = Held.Deserializer.class)
    public static final class Held {
        public static final class Deserializer extends ValueDeserializer<Held> {
            public Deserializer() {
                entered.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public Held deserialize(JsonParser p, DeserializationContext ctxt) {
                return new Held();
            }
        }
    }

    /**
     * Reads each type's root deserializer on a non-blocking (Reactor parallel) thread while another
     * thread holds {@code mapper}'s creation lock; fails with BlockHound's error where a read waits.
     */
    public static synchronized void readAllOnAnEventLoopWhileHeld(ObjectMapper mapper, Collection<JavaType> types)
            throws InterruptedException {
        entered = new CountDownLatch(1);
        release = new CountDownLatch(1);
        Thread holder = new Thread(() -> mapper.readerFor(Held.class), "deserializer-lock-holder");
        holder.start();
        try {
            if (!entered.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the lock holder never started building its deserializer");
            }
            for (JavaType type : types) {
                Mono.fromCallable(() -> mapper.readerFor(type)).subscribeOn(Schedulers.parallel())
                        .block(Duration.ofSeconds(10));
            }
        } finally {
            release.countDown();
            holder.join(10_000);
        }
    }
}
