package dev.otimo.security;

import dev.otimo.config.SecurityProperties;
import io.netty.util.NetUtil;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Who sent a request, for the limits kept per client: its API key when the key is valid, else the
 * address of its peer. Forwarded headers count only when the peer is a trusted proxy
 * ({@code otimo.security.trusted-proxies}); the client is then the right-most address in them that
 * is not a trusted proxy, since everything left of that may have been written by the client.
 * {@code X-Forwarded-For} is read when present, else {@code Forwarded}.
 */
@Component
public class ClientIdentity {

    private static final String UNKNOWN = "unknown";

    private final ApiKeyVerifier apiKeys;
    private final TrustedProxies proxies;

    public ClientIdentity(ApiKeyVerifier apiKeys, SecurityProperties properties) {
        this.apiKeys = apiKeys;
        this.proxies = new TrustedProxies(properties.trustedProxies());
    }

    /** The client's API key when it is valid, else its address. */
    public String of(ServerHttpRequest request) {
        return of(request.getHeaders(), peer(request));
    }

    /**
     * The client's API key when it is valid, else its address.
     *
     * @param peer the address of the connection's other end (null when unknown)
     */
    public String of(HttpHeaders headers, InetSocketAddress peer) {
        String key = headers.getFirst(ApiKeyVerifier.HEADER);
        if (key != null && apiKeys.accepts(key)) {
            return key;
        }
        return address(headers, host(peer));
    }

    /** The client's address: the peer's, or the one trusted proxies forwarded. */
    public String address(ServerHttpRequest request) {
        return address(request.getHeaders(), host(peer(request)));
    }

    private String address(HttpHeaders headers, String peer) {
        if (peer == null) {
            return UNKNOWN;
        }
        if (proxies.isEmpty() || !proxies.contains(peer)) {
            return peer;
        }
        List<String> chain = forwardedChain(headers);
        String client = peer;
        for (int i = chain.size() - 1; i >= 0; i--) {
            String hop = chain.get(i);
            if (NetUtil.createByteArrayFromIpAddressString(hop) == null) {
                // "unknown" or an obfuscated name: the proxy that wrote it is the last address known
                return client;
            }
            client = hop;
            if (!proxies.contains(hop)) {
                return hop;
            }
        }
        return client;
    }

    private static String host(InetSocketAddress address) {
        return address != null && address.getAddress() != null ? address.getAddress().getHostAddress() : null;
    }

    /**
     * The address of the connection's other end. Read from the connection itself: the request's
     * remote address may have been rewritten from forwarded headers (Reactor Netty's forwarded
     * support, Spring's ForwardedHeaderTransformer) without regard to who sent them.
     */
    private static InetSocketAddress peer(ServerHttpRequest request) {
        Object connection = ServerHttpRequestDecorator.getNativeRequest(request);
        SocketAddress address = connection instanceof reactor.netty.Connection c ? c.channel().remoteAddress()
                : request.getRemoteAddress();
        return address instanceof InetSocketAddress inet ? inet : null;
    }

    /** The addresses the forwarded headers list, left (farthest) to right (nearest), cleaned of ports and quotes. */
    static List<String> forwardedChain(HttpHeaders headers) {
        List<String> chain = new ArrayList<>();
        List<String> xff = headers.get("X-Forwarded-For");
        if (xff != null && !xff.isEmpty()) {
            for (String value : xff) {
                for (String hop : value.split(",")) {
                    chain.add(clean(hop));
                }
            }
            return chain;
        }
        List<String> forwarded = headers.get("Forwarded");
        if (forwarded != null) {
            for (String value : forwarded) {
                for (String element : value.split(",")) {
                    String node = UNKNOWN;
                    for (String pair : element.split(";")) {
                        String[] kv = pair.trim().split("=", 2);
                        if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("for")) {
                            node = clean(kv[1]);
                        }
                    }
                    chain.add(node);
                }
            }
        }
        return chain;
    }

    /** An address without quotes, IPv6 brackets or port: {@code "[2001:db8::1]:4711"} is {@code 2001:db8::1}. */
    private static String clean(String hop) {
        String s = hop.trim();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            return end < 0 ? s : s.substring(1, end);
        }
        int colon = s.indexOf(':');
        if (colon >= 0 && colon == s.lastIndexOf(':')) {
            // IPv4 with a port; a bare IPv6 address has several colons and no port
            return s.substring(0, colon);
        }
        return s;
    }
}
