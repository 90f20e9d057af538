package dev.otimo.inference;

import dev.otimo.api.ApiException;
import dev.otimo.config.OtimoProperties;
import org.springframework.http.HttpStatus;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Admission by bytes: request bodies held at once, across the server and per deployment, stay
 * under budgets derived from the heap, so a burst of large requests is refused (429 with
 * Retry-After) before it is read instead of ending in an OutOfMemoryError. A body of known length
 * is admitted whole before its first byte is read; a chunked one is counted as it arrives.
 */
@Component
public class ByteAdmission {

    private final long serverLimit;
    private final long deploymentLimit;
    private final AtomicLong serverBytes = new AtomicLong();
    private final ConcurrentHashMap<String, AtomicLong> deploymentBytes = new ConcurrentHashMap<>();

    @Autowired
    public ByteAdmission(OtimoProperties properties) {
        this(properties.admission().maxInflightBytes(Runtime.getRuntime().maxMemory()),
                properties.admission().maxInflightBytesPerDeployment(Runtime.getRuntime().maxMemory()));
    }

    ByteAdmission(long serverLimit, long deploymentLimit) {
        this.serverLimit = serverLimit;
        this.deploymentLimit = Math.min(deploymentLimit, serverLimit);
    }

    public long serverLimit() {
        return serverLimit;
    }

    public long deploymentLimit() {
        return deploymentLimit;
    }

    /** Bytes of request bodies admitted and not yet released, across the server. */
    public long inFlight() {
        return serverBytes.get();
    }

    /**
     * A permit for one request to {@code deployment}, holding {@code bytes} at first (its
     * Content-Length, or 0 for a chunked body).
     *
     * @throws ApiException 413 when the body alone exceeds a budget, 429 when it does not fit now
     */
    public Permit admit(String deployment, long bytes) {
        Permit permit = new Permit(deploymentBytes.computeIfAbsent(deployment, d -> new AtomicLong()), deployment);
        permit.grow(bytes);
        return permit;
    }

    /** Bytes one request holds; released once, when its answer is ready or it fails. */
    public final class Permit {
        private final AtomicLong deployment;
        private final String name;
        private long held;
        private boolean released;

        private Permit(AtomicLong deployment, String name) {
            this.deployment = deployment;
            this.name = name;
        }

        /**
         * Holds {@code bytes} more (the next chunk of a body being read).
         *
         * @throws ApiException 413 or 429 as {@link #admit} does; the permit keeps what it held
         */
        public synchronized void grow(long bytes) {
            if (bytes <= 0) {
                return;
            }
            long total = held + bytes;
            if (total > deploymentLimit) {
                throw ApiException.tooLarge("request body of at least " + total + " bytes is more than the "
                        + deploymentLimit + " bytes a deployment may hold in flight (otimo.admission)");
            }
            if (!take(serverBytes, bytes, serverLimit)) {
                throw overloaded("the server already holds " + serverBytes.get() + " bytes of requests in flight (limit "
                        + serverLimit + ", otimo.admission.max-inflight-bytes)");
            }
            if (!take(deployment, bytes, deploymentLimit)) {
                serverBytes.addAndGet(-bytes);
                throw overloaded("deployment " + name + " already holds " + deployment.get()
                        + " bytes of requests in flight (limit " + deploymentLimit
                        + ", otimo.admission.max-inflight-bytes-per-deployment)");
            }
            held = total;
        }

        public synchronized long held() {
            return held;
        }

        /** Gives the bytes back; later calls do nothing. */
        public synchronized void release() {
            if (released) {
                return;
            }
            released = true;
            serverBytes.addAndGet(-held);
            deployment.addAndGet(-held);
            held = 0;
        }
    }

    /** Adds {@code bytes} to {@code counter} unless that would pass {@code limit}; says whether it did. */
    private static boolean take(AtomicLong counter, long bytes, long limit) {
        return counter.getAndAccumulate(bytes, (now, more) -> now + more > limit ? now : now + more) + bytes <= limit;
    }

    private static ApiException overloaded(String why) {
        return new ApiException(HttpStatus.TOO_MANY_REQUESTS, why + "; retry later", 1L);
    }
}
