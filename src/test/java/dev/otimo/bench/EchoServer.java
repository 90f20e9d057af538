package dev.otimo.bench;

import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** The HTTP ceiling of the machine: a bare Reactor Netty server that sends each request body back. */
final class EchoServer implements AutoCloseable {

    private final DisposableServer server;

    EchoServer() {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.post("/echo", (request, response) ->
                        response.header("Content-Type", "application/octet-stream")
                                .send(request.receive().aggregate().retain())))
                .bindNow();
    }

    String url() {
        return "http://127.0.0.1:" + server.port() + "/echo";
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
