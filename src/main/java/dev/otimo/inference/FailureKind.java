package dev.otimo.inference;

import ai.onnxruntime.OrtException;
import dev.otimo.api.ApiException;
import dev.otimo.batching.QueueRejectedException;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;

import java.util.concurrent.TimeoutException;

/**
 * Whose fault a failed inference is. The one classification the circuit breakers, the canary
 * guards and the metrics' outcome all use: only {@link #TIMEOUT} and {@link #SERVER} say something
 * about the deployment's health.
 */
public enum FailureKind {
    /** The request broke a rule (malformed, does not match the model, too large, not allowed) or was abandoned. */
    CLIENT,
    /** The inputs matched the model but ONNX Runtime refused their values (an index out of range). */
    INPUT_TRIGGERED,
    /** Refused unrun to protect the server: queue or bulkhead full, breaker open, rate or byte limit. */
    OVERLOAD,
    /** Did not start or finish within its time limit. */
    TIMEOUT,
    /** Anything else: the deployment or the server failed. */
    SERVER;

    public static FailureKind of(Throwable e) {
        if (e instanceof QueueRejectedException q) {
            return q.timedOut() ? TIMEOUT : OVERLOAD;
        }
        if (e instanceof TimeoutException) {
            return TIMEOUT;
        }
        if (e instanceof BulkheadFullException || e instanceof CallNotPermittedException || e instanceof RequestNotPermitted) {
            return OVERLOAD;
        }
        if (e instanceof ApiException a) {
            if (a.status().value() == 429) {
                return OVERLOAD;
            }
            return a.status().is4xxClientError() ? CLIENT : SERVER;
        }
        if (e instanceof OrtException) {
            return INPUT_TRIGGERED;
        }
        if (e instanceof IllegalArgumentException || e instanceof reactor.netty.channel.AbortedException) {
            // a rule broken, or the client closed the connection before its request was read
            return CLIENT;
        }
        return SERVER;
    }

    /** Whether a failure of this kind counts against the deployment that had the request. */
    public boolean countsAgainstDeployment() {
        return this == TIMEOUT || this == SERVER;
    }

    /** Whether the request's sender caused it (a 4xx other than 429). */
    public boolean causedByClient() {
        return this == CLIENT || this == INPUT_TRIGGERED;
    }
}
