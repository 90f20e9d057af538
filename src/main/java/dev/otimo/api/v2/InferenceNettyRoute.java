package dev.otimo.api.v2;

import dev.otimo.api.JsonErrorHandler;
import dev.otimo.config.SecurityProperties;
import dev.otimo.security.ClientIdentity;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.reactivestreams.Publisher;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.support.Netty4HeadersAdapter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.util.context.Context;
import dev.otimo.inference.InferenceCall;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;

/**
 * The lean HTTP path: {@code POST /v2/models/{m}[/versions/{v}]/infer} served by a Reactor Netty
 * route ahead of WebFlux, so an inference builds no {@code ServerWebExchange}, filter chain or
 * handler lookup. It reads the same headers, checks the same API key, calls the same
 * {@link InferenceController#infer(String, String, HttpHeaders, Flux, java.util.function.Supplier)}
 * and answers errors with the same JSON as the rest of the server ({@link JsonErrorHandler}).
 * <p>
 * With cross-origin origins configured ({@code otimo.security.cors.allowed-origins}) no route is
 * installed: requests take the WebFlux path, where the CORS filter adds its headers. So it is with
 * {@code otimo.inference.lean-route=false} (to compare the two paths in the benchmark).
 */
@Component
public class InferenceNettyRoute implements NettyRouteProvider {

    private static final NettyDataBufferFactory BUFFERS = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

    private final InferenceController controller;
    private final ClientIdentity clients;
    private final boolean installed;

    public InferenceNettyRoute(InferenceController controller, ClientIdentity clients, SecurityProperties security,
                               @Value("${otimo.inference.lean-route:true}") boolean enabled) {
        this.controller = controller;
        this.clients = clients;
        this.installed = enabled && security.cors().allowedOrigins().stream().allMatch(String::isBlank);
    }

    @Override
    public HttpServerRoutes apply(HttpServerRoutes routes) {
        if (!installed) {
            return routes;
        }
        return routes
                .post("/v2/models/{model}/infer", (request, response) -> serve(request, response, request.param("model"), null))
                .post("/v2/models/{model}/versions/{version}/infer",
                        (request, response) -> serve(request, response, request.param("model"), request.param("version")));
    }

    private Publisher<Void> serve(HttpServerRequest request, HttpServerResponse response, String model, String version) {
        HttpHeaders headers = new HttpHeaders(new Netty4HeadersAdapter(request.requestHeaders()));
        Flux<DataBuffer> body = request.receive().retain().map(BUFFERS::wrap);
        return controller.infer(model, version, headers, body, () -> clients.of(headers, peer(request)))
                .contextWrite(answerOnEventLoop(request))
                .onErrorResume(e -> {
                    JsonErrorHandler.Failure failure = JsonErrorHandler.failure(e, "POST", request.uri());
                    return failure == null ? Mono.empty() : Mono.just(error(failure));
                })
                .flatMap(entity -> write(response, entity));
    }

    private static ResponseEntity<byte[]> error(JsonErrorHandler.Failure failure) {
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(failure.status()).contentType(MediaType.APPLICATION_JSON);
        if (failure.retryAfter() != null) {
            answer.header(HttpHeaders.RETRY_AFTER, Long.toString(failure.retryAfter()));
        }
        return answer.body(failure.body());
    }

    private static Mono<Void> write(HttpServerResponse response, ResponseEntity<byte[]> entity) {
        byte[] body = entity.getBody();
        response.status(HttpResponseStatus.valueOf(entity.getStatusCode().value()));
        for (Map.Entry<String, List<String>> header : entity.getHeaders().headerSet()) {
            response.responseHeaders().set(header.getKey(), header.getValue());
        }
        response.responseHeaders().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response.sendByteArray(Mono.just(body)).then();
    }

    /** Answers continue on the connection's own event loop: encoded and written there, not on the runner thread. */
    static Context answerOnEventLoop(Object nativeRequest) {
        return nativeRequest instanceof Connection c
                ? Context.of(InferenceCall.ANSWER_EXECUTOR, c.channel().eventLoop()) : Context.empty();
    }

    /** The connection's other end, not a forwarded address (see {@link ClientIdentity}). */
    private static InetSocketAddress peer(HttpServerRequest request) {
        SocketAddress address = request instanceof Connection c ? c.channel().remoteAddress() : request.remoteAddress();
        return address instanceof InetSocketAddress inet ? inet : null;
    }
}
