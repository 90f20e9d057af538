package dev.otimo.api.admin;

import dev.otimo.observability.AuditLog;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Writes the audit entry of each successful model, version and deployment change made through the
 * admin API, with the authenticated admin as actor. The entry is stored before the response is
 * committed, so a client that reads the audit log right after its change finds it there. Routing
 * changes are audited by the routing endpoints themselves.
 */
@Component
@Order(0)
public class AdminActionAudit implements WebFilter {

    private static final Logger log = LoggerFactory.getLogger(AdminActionAudit.class);
    private static final String PREFIX = "/api/v1/models";
    private static final int MAX_CAPTURED = 64 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final AuditLog audit;

    /** An audited endpoint; {@code readsBody}: the detail comes from the response body. */
    private record Action(HttpMethod method, PathPattern path, String name, boolean readsBody) {

        Action(HttpMethod method, String path, String name, boolean readsBody) {
            this(method, PathPatternParser.defaultInstance.parse(path), name, readsBody);
        }
    }

    private static final List<Action> ACTIONS = List.of(
            new Action(HttpMethod.POST, "/api/v1/models", "model.create", true),
            new Action(HttpMethod.DELETE, "/api/v1/models/{model}", "model.delete", false),
            new Action(HttpMethod.POST, "/api/v1/models/{model}/versions", "version.upload", true),
            new Action(HttpMethod.DELETE, "/api/v1/models/{model}/versions/{version}", "version.delete", false),
            new Action(HttpMethod.PUT, "/api/v1/models/{model}/versions/{version}/deployment", "deployment.update", true),
            new Action(HttpMethod.DELETE, "/api/v1/models/{model}/versions/{version}/deployment", "deployment.delete", false));

    public AdminActionAudit(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        HttpMethod method = exchange.getRequest().getMethod();
        PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
        if (method == HttpMethod.GET || !path.value().startsWith(PREFIX)) {
            return chain.filter(exchange);
        }
        for (Action action : ACTIONS) {
            PathPattern.PathMatchInfo match = action.method() == method ? action.path().matchAndExtract(path) : null;
            if (match != null) {
                return AdminActor.current().flatMap(actor -> audited(exchange, chain, action, match.getUriVariables(), actor));
            }
        }
        return chain.filter(exchange);
    }

    private Mono<Void> audited(ServerWebExchange exchange, WebFilterChain chain, Action action, Map<String, String> variables,
                               String actor) {
        CapturingResponse response = new CapturingResponse(exchange.getResponse(), action.readsBody());
        response.beforeCommit(() -> {
            HttpStatusCode status = response.getStatusCode();
            if (status != null && !status.is2xxSuccessful()) {
                return Mono.empty();
            }
            return Mono.fromRunnable(() -> write(action, variables, actor, response.captured()))
                    .subscribeOn(Schedulers.boundedElastic())
                    .onErrorResume(e -> {
                        log.error("writing the audit entry of {} failed", action.name(), e);
                        return Mono.empty();
                    })
                    .then();
        });
        return chain.filter(exchange.mutate().response(response).build());
    }

    private void write(Action action, Map<String, String> variables, String actor, String body) {
        JsonNode json = body == null || body.isEmpty() ? null : readQuietly(body);
        String model = variables.get("model");
        Integer version = variables.containsKey("version") ? parseQuietly(variables.get("version")) : null;
        String detail = null;
        if (json != null) {
            switch (action.name()) {
                case "model.create" -> {
                    model = text(json, "name");
                    detail = text(json, "description");
                }
                case "version.upload" -> {
                    version = json.hasNonNull("version") ? json.get("version").asInt() : null;
                    detail = "status " + text(json, "status") + ", sha256 " + text(json, "sha256") + ", "
                            + text(json, "sizeBytes") + " bytes";
                }
                case "deployment.update" -> detail = "device " + text(json, "device") + ", instances " + text(json, "instances")
                        + ", intraOpThreads " + text(json, "intraOpThreads") + ", batching " + json.get("batching")
                        + ", state " + text(json, "state");
                default -> {
                }
            }
        }
        audit.record(actor, action.name(), model, version, detail);
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }

    private static JsonNode readQuietly(String body) {
        try {
            return JSON.readTree(body);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Integer parseQuietly(String s) {
        try {
            return Integer.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Keeps a copy of a small response body (the JSON of the changed resource) for the audit detail. */
    private static final class CapturingResponse extends ServerHttpResponseDecorator {

        private final boolean capture;
        private final StringBuilder body = new StringBuilder();

        CapturingResponse(ServerHttpResponse delegate, boolean capture) {
            super(delegate);
            this.capture = capture;
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> content) {
            if (!capture) {
                return super.writeWith(content);
            }
            return super.writeWith(content instanceof Mono<? extends DataBuffer> mono
                    ? mono.doOnNext(this::copy) : Flux.from(content).doOnNext(this::copy));
        }

        private void copy(DataBuffer buffer) {
            int n = Math.min(buffer.readableByteCount(), MAX_CAPTURED - body.length());
            if (n > 0) {
                body.append(buffer.toString(buffer.readPosition(), n, StandardCharsets.UTF_8));
            }
        }

        String captured() {
            return body.toString();
        }
    }
}
