package dev.otimo.api.v2;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The hot path's entry: takes {@code POST /v2/models/{m}[/versions/{v}]/infer} before the generic
 * handler mapping, argument resolution and content negotiation, and hands it to the same
 * {@link InferenceController} methods the OpenAPI document describes. Errors still go to the
 * JSON error handler. Only the cross-origin filter, when configured, runs before it.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
public class InferenceRoute implements WebFilter {

    private static final String PREFIX = "/v2/models/";
    private static final String SUFFIX = "/infer";
    private static final String VERSIONS = "/versions/";

    private final InferenceController controller;

    public InferenceRoute(InferenceController controller) {
        this.controller = controller;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (exchange.getRequest().getMethod() != HttpMethod.POST) {
            return chain.filter(exchange);
        }
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!path.startsWith(PREFIX) || !path.endsWith(SUFFIX) || path.length() <= PREFIX.length() + SUFFIX.length()) {
            return chain.filter(exchange);
        }
        String middle = path.substring(PREFIX.length(), path.length() - SUFFIX.length());
        int versions = middle.indexOf(VERSIONS);
        Mono<ResponseEntity<byte[]>> response;
        if (versions < 0) {
            if (middle.indexOf('/') >= 0) {
                return chain.filter(exchange);
            }
            response = controller.infer(middle, exchange);
        } else {
            String model = middle.substring(0, versions);
            String version = middle.substring(versions + VERSIONS.length());
            if (model.isEmpty() || model.indexOf('/') >= 0 || version.isEmpty() || version.indexOf('/') >= 0) {
                return chain.filter(exchange);
            }
            response = controller.inferVersion(model, version, exchange);
        }
        return response.flatMap(entity -> write(exchange.getResponse(), entity));
    }

    private static Mono<Void> write(ServerHttpResponse response, ResponseEntity<byte[]> entity) {
        response.setStatusCode(entity.getStatusCode());
        response.getHeaders().putAll(entity.getHeaders());
        byte[] body = entity.getBody();
        response.getHeaders().setContentLength(body.length);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
