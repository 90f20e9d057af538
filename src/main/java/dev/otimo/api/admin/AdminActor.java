package dev.otimo.api.admin;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import reactor.core.publisher.Mono;

/** The name of the authenticated admin making the current request, for the audit log. */
final class AdminActor {

    static final String UNKNOWN = "unknown";

    private AdminActor() {
    }

    static Mono<String> current() {
        return ReactiveSecurityContextHolder.getContext()
                .map(SecurityContext::getAuthentication)
                .filter(Authentication::isAuthenticated)
                .map(Authentication::getName)
                .defaultIfEmpty(UNKNOWN);
    }
}
