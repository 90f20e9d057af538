package dev.otimo.security;

import dev.otimo.api.JsonErrorHandler;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses state-changing requests (POST, PUT, PATCH, DELETE) that a browser sends on behalf of
 * another site: the protection against cross-site request forgery for an API whose callers
 * authenticate with a header, not a cookie, but whose browsers may still hold credentials
 * (a Basic login, a client certificate) that would ride along on a forged form post.
 *
 * <p>It needs no token: browsers say where a request comes from. {@code Sec-Fetch-Site} (fetch
 * metadata, sent by every current browser and not settable by a page) of {@code cross-site} or
 * {@code same-site} is refused; so is an {@code Origin} (sent by browsers on every cross-origin and
 * every unsafe request, older ones included) whose host[:port] is not the one the request was sent
 * to (its {@code Host} header). The scheme is not compared, so that a proxy terminating TLS in front
 * of the server changes nothing; fetch metadata tells http from https where browsers send it. Origins
 * in {@code otimo.security.cors.allowed-origins} (patterns as CORS takes them) are let through: they
 * are the pages the operator allowed to call, and they call cross-site.
 *
 * <p>Clients that are not browsers (curl, SDKs, other servers) send neither header and pass. The
 * check reads headers only and runs before authentication, so a refused request reads, stores and
 * authenticates nothing.
 */
public final class CrossSiteRequestFilter implements WebFilter {

    private static final Set<HttpMethod> UNSAFE = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);
    private static final String SEC_FETCH_SITE = "Sec-Fetch-Site";

    private final CorsConfiguration allowed;

    /** @param allowedOrigins origins (or origin patterns) whose pages may call cross-site */
    public CrossSiteRequestFilter(List<String> allowedOrigins) {
        this.allowed = new CorsConfiguration();
        List<String> origins = allowedOrigins.stream().filter(o -> !o.isBlank()).toList();
        if (!origins.isEmpty()) {
            allowed.setAllowedOriginPatterns(origins);
        }
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String refusal = refusal(exchange.getRequest());
        if (refusal == null) {
            return chain.filter(exchange);
        }
        return JsonErrorHandler.write(exchange.getResponse(), HttpStatus.FORBIDDEN,
                "cross-site request refused: " + refusal, null);
    }

    /** Why the request is refused, or null when it may go on. */
    String refusal(ServerHttpRequest request) {
        if (!UNSAFE.contains(request.getMethod())) {
            return null;
        }
        HttpHeaders headers = request.getHeaders();
        String origin = headers.getOrigin();
        if (origin != null && allowed.checkOrigin(origin) != null) {
            return null;
        }
        String site = headers.getFirst(SEC_FETCH_SITE);
        if (site != null) {
            String s = site.trim().toLowerCase(Locale.ROOT);
            if (s.equals("cross-site") || s.equals("same-site")) {
                return "the browser says it comes from another site (Sec-Fetch-Site: " + s
                        + "); allow its origin in otimo.security.cors.allowed-origins if it should call";
            }
        }
        if (origin != null && !sameHost(origin, headers.getFirst(HttpHeaders.HOST))) {
            return "Origin " + origin + " is not this server; allow it in otimo.security.cors.allowed-origins if it should call";
        }
        return null;
    }

    /** True when the origin's host[:port] is the Host header's (as a browser writes both: default ports left out). */
    private static boolean sameHost(String origin, String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        URI uri;
        try {
            uri = URI.create(origin.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        String scheme = uri.getScheme();
        if (uri.getRawAuthority() == null || scheme == null
                || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            return false;
        }
        String authority = uri.getRawAuthority().toLowerCase(Locale.ROOT);
        String own = host.trim().toLowerCase(Locale.ROOT);
        return authority.equals(own) || authority.equals(withoutDefaultPort(own, scheme))
                || withoutDefaultPort(authority, scheme).equals(own);
    }

    private static String withoutDefaultPort(String authority, String scheme) {
        String port = scheme.equalsIgnoreCase("https") ? ":443" : ":80";
        return authority.endsWith(port) ? authority.substring(0, authority.length() - port.length()) : authority;
    }
}
