package dev.otimo.config;

/**
 * Reactor Netty settings that are read once, from system properties, when its HTTP server classes
 * load; so they are set before Spring starts the server. A value given on the command line wins.
 */
public final class NettyServerDefaults {

    /**
     * With its default ({@code false}), Reactor Netty 1.3.6 can stop reading a keep-alive connection
     * whose next request arrives before the previous exchange has terminated: the client waits until
     * it gives up (reactor-netty #4347). Measured against this server with one client sending requests
     * back to back on keep-alive connections: 178 stalls in 20 000 requests with {@code false}, none in
     * 45 000 with {@code true}. {@code true} flushes a finished response when the connection has
     * nothing more to read, which is also what high-throughput Reactor Netty deployments use.
     */
    public static final String LAST_FLUSH_WHEN_NO_READ = "reactor.netty.http.server.lastFlushWhenNoRead";

    private NettyServerDefaults() {
    }

    /** Sets each default that is not already set. */
    public static void apply() {
        if (System.getProperty(LAST_FLUSH_WHEN_NO_READ) == null) {
            System.setProperty(LAST_FLUSH_WHEN_NO_READ, "true");
        }
    }
}
