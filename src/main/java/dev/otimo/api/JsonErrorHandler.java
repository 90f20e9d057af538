package dev.otimo.api;

import ai.onnxruntime.OrtException;
import dev.otimo.batching.QueueRejectedException;
import dev.otimo.onnx.InvalidModelException;
import dev.otimo.registry.ConflictException;
import dev.otimo.registry.NotFoundException;
import dev.otimo.registry.RegistryDatabase;
import dev.otimo.registry.RegistryUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.core.io.JsonStringEncoder;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * Turns every failure, ours or the framework's, into {@code {"error": "..."}} with the right
 * status. A 5xx is logged with its stack trace: it means a bug. Its body says only
 * {@code "internal error"} and a random correlation id that the log line carries too, so that an
 * operator finds the trace while the client learns nothing about the server's insides.
 */
@Component
@Order(-2)
public class JsonErrorHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(JsonErrorHandler.class);

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(ex);
        }
        Failure failure = failure(ex, exchange.getRequest().getMethod().name(), exchange.getRequest().getPath().value());
        if (failure == null) {
            return Mono.empty();
        }
        return write(response, failure.status(), failure.message(), failure.retryAfter(), failure.correlationId());
    }

    /** What a failed request is told: status, message, Retry-After (or null), correlation id of the logged trace (or null). */
    public record Failure(HttpStatusCode status, String message, Long retryAfter, String correlationId) {

        /** The JSON error body. */
        public byte[] body() {
            return json(message, correlationId);
        }
    }

    /**
     * How a failure is answered, whichever server route had the request: null when the client went
     * away before its request was read (there is no one to answer). A 5xx other than 503 is logged
     * with its trace and a correlation id.
     */
    public static Failure failure(Throwable ex, String method, String path) {
        if (ex instanceof reactor.netty.channel.AbortedException) {
            log.debug("{} {}: client went away: {}", method, path, ex.getMessage());
            return null;
        }
        Mapped mapped = map(ex);
        if (mapped.status.is5xxServerError() && mapped.status != HttpStatus.SERVICE_UNAVAILABLE) {
            String correlationId = correlationId();
            log.error("{} {} failed (correlation id {})", method, path, correlationId, ex);
            return new Failure(mapped.status, mapped.message, mapped.retryAfter, correlationId);
        }
        return new Failure(mapped.status, mapped.message, mapped.retryAfter, null);
    }

    /** 16 random hex digits: enough to find one log line, nothing to learn from. */
    static String correlationId() {
        byte[] bits = new byte[8];
        ThreadLocalRandom.current().nextBytes(bits);
        return HexFormat.of().formatHex(bits);
    }

    /** Writes an error body; shared with the security entry points. */
    public static Mono<Void> write(ServerHttpResponse response, HttpStatusCode status, String message, Long retryAfter) {
        return write(response, status, message, retryAfter, null);
    }

    /** Writes an error body with the correlation id of the log line that holds the details (null: none). */
    public static Mono<Void> write(ServerHttpResponse response, HttpStatusCode status, String message, Long retryAfter,
                                   String correlationId) {
        response.setStatusCode(status);
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        headers.remove(HttpHeaders.CONTENT_LENGTH);
        if (retryAfter != null) {
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
        }
        byte[] body = json(message, correlationId);
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

    private static byte[] json(String message, String correlationId) {
        StringBuilder json = new StringBuilder("{\"error\":\"");
        JsonStringEncoder.getInstance().quoteAsString(message == null ? "" : message, json);
        json.append('"');
        if (correlationId != null) {
            json.append(",\"correlationId\":\"");
            JsonStringEncoder.getInstance().quoteAsString(correlationId, json);
            json.append('"');
        }
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private record Mapped(HttpStatusCode status, String message, Long retryAfter) {
    }

    static Mapped map(Throwable ex) {
        if (RegistryDatabase.isUnreachable(ex)) {
            String message = ex instanceof RegistryUnavailableException ? ex.getMessage()
                    : "the registry database is unreachable; try again shortly";
            return new Mapped(HttpStatus.SERVICE_UNAVAILABLE, message, RegistryUnavailableException.RETRY_AFTER_SECONDS);
        }
        if (ex instanceof ApiException a) {
            return new Mapped(a.status(), a.getMessage(), a.retryAfterSeconds());
        }
        if (ex instanceof QueueRejectedException q) {
            return new Mapped(HttpStatus.TOO_MANY_REQUESTS, q.getMessage(), q.retryAfterSeconds());
        }
        if (ex instanceof dev.otimo.batching.RunnerStoppedException stopped) {
            return new Mapped(HttpStatus.SERVICE_UNAVAILABLE, stopped.getMessage(), null);
        }
        if (ex instanceof NotFoundException) {
            return new Mapped(HttpStatus.NOT_FOUND, ex.getMessage(), null);
        }
        if (ex instanceof ConflictException) {
            return new Mapped(HttpStatus.CONFLICT, ex.getMessage(), null);
        }
        if (ex instanceof dev.otimo.compression.CompressionException) {
            return new Mapped(HttpStatus.BAD_REQUEST, ex.getMessage(), null);
        }
        if (ex instanceof InvalidModelException) {
            return new Mapped(HttpStatus.BAD_REQUEST, ex.getMessage(), null);
        }
        if (ex instanceof IllegalArgumentException) {
            return new Mapped(HttpStatus.BAD_REQUEST, ex.getMessage(), null);
        }
        if (ex instanceof OrtException) {
            // the inputs passed validation but ONNX Runtime refused them (e.g. a value out of a gather's range)
            return new Mapped(HttpStatus.BAD_REQUEST, "the model could not run on these inputs: " + ex.getMessage(), null);
        }
        if (ex instanceof DataBufferLimitException) {
            return new Mapped(HttpStatus.PAYLOAD_TOO_LARGE, "request body exceeds the configured limit: " + ex.getMessage(), null);
        }
        if (ex instanceof WebExchangeBindException b) {
            String detail = b.getFieldErrors().stream().map(f -> f.getField() + " " + f.getDefaultMessage())
                    .collect(Collectors.joining("; "));
            return new Mapped(HttpStatus.BAD_REQUEST, detail.isEmpty() ? b.getReason() : detail, null);
        }
        if (ex instanceof ServerWebInputException in) {
            Throwable cause = in.getMostSpecificCause();
            String why = cause != null && cause != in && cause.getMessage() != null ? cause.getMessage() : in.getReason();
            if (cause instanceof DataBufferLimitException) {
                return new Mapped(HttpStatus.PAYLOAD_TOO_LARGE, "request body exceeds the configured limit", null);
            }
            return new Mapped(HttpStatus.BAD_REQUEST, "malformed request: " + firstLine(why), null);
        }
        if (ex instanceof MethodNotAllowedException m) {
            return new Mapped(m.getStatusCode(), "method " + m.getHttpMethod() + " is not allowed here; allowed: "
                    + m.getSupportedMethods(), null);
        }
        if (ex instanceof ResponseStatusException r) {
            String reason = r.getReason() != null ? r.getReason() : HttpStatus.valueOf(r.getStatusCode().value()).getReasonPhrase();
            if (r.getStatusCode().value() == 404) {
                reason = "no such endpoint or resource";
            }
            return new Mapped(r.getStatusCode(), reason, null);
        }
        // the exception's text stays in the log: it can name classes, paths or data of the server
        return new Mapped(HttpStatus.INTERNAL_SERVER_ERROR, "internal error", null);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.lines().findFirst().orElse(s);
        return line.length() > 500 ? line.substring(0, 500) : line;
    }
}
