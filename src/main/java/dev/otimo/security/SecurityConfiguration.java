package dev.otimo.security;

import dev.otimo.api.JsonErrorHandler;
import dev.otimo.config.OtimoProperties;
import dev.otimo.config.SecurityProperties;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.ReactiveJwtAuthenticationConverterAdapter;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The admin API, the actuator (but health, info and prometheus) and the admin console's API calls
 * need the admin: HTTP Basic as the admin user (unless turned off) and, when an issuer or JWK set is
 * configured, a Bearer JWT it signed that carries the admin role ({@link AdminJwtRoles}); one with
 * the reader role may read the admin API. Unsafe requests a browser sends from another site are
 * refused first ({@link CrossSiteRequestFilter}). Inference, the OpenAPI document and the console's
 * static files are outside the security filter chain altogether; inference checks its API keys itself.
 */
@Configuration
@EnableWebFluxSecurity
@SecurityScheme(name = "basic", type = SecuritySchemeType.HTTP, scheme = "basic")
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT")
public class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);
    private static final String DENIED = "access denied: this needs the admin role (the reader role may only read the admin API)";

    @Bean
    AdminCredentials adminCredentials(OtimoProperties properties) {
        String password = properties.admin().password();
        if (password == null || password.isBlank()) {
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            // printed once, so that the operator can log in; set OTIMO_ADMIN_PASSWORD to choose it
            log.warn("\n\n  Generated admin password for user '{}': {}\n  Set OTIMO_ADMIN_PASSWORD to choose one.\n",
                    properties.admin().username(), password);
        }
        return new AdminCredentials(properties.admin().username(), password);
    }

    @Bean
    SecurityWebFilterChain securityFilterChain(ServerHttpSecurity http, AdminCredentials admin, SecurityProperties security) {
        boolean basic = security.basic().enabled();
        boolean jwt = security.jwt().enabled();
        if (!basic && !jwt) {
            throw new IllegalStateException("otimo.security.basic.enabled=false leaves no way to reach the admin API: "
                    + "set otimo.security.jwt.issuer-uri or otimo.security.jwt.jwk-set-uri, or enable Basic again");
        }
        List<String> schemes = new ArrayList<>();
        if (basic) {
            schemes.add("HTTP Basic with the admin credentials");
        }
        if (jwt) {
            schemes.add("a Bearer JWT from the configured issuer");
        }
        String message = "authentication required: use " + String.join(" or ", schemes);
        ServerAuthenticationEntryPoint entryPoint = (exchange, e) -> {
            // never a Basic challenge: a browser would show its login dialog and then send the cached
            // credentials on every request to this host, forged cross-site ones included. Clients send
            // Basic credentials without being asked (curl -u, the console). A Bearer challenge shows no dialog.
            if (jwt) {
                exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"otimo\"");
            }
            return JsonErrorHandler.write(exchange.getResponse(), HttpStatus.UNAUTHORIZED, message, null);
        };
        http
                // inference, health and the docs never pass through the security filters
                .securityMatcher(ServerWebExchangeMatchers.pathMatchers("/api/**", "/actuator", "/actuator/**"))
                // no CSRF tokens: nothing authenticates by cookie; forged browser requests are refused by
                // what the browser says of their origin, in CSRF's place, before authentication
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .addFilterAt(new CrossSiteRequestFilter(security.cors().allowedOrigins()), SecurityWebFiltersOrder.CSRF)
                // cross-origin requests are answered by CrossOrigin's filter, ahead of this chain, or not at all
                .cors(ServerHttpSecurity.CorsSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .exceptionHandling(ex -> ex.authenticationEntryPoint(entryPoint)
                        .accessDeniedHandler((exchange, denied) -> JsonErrorHandler.write(exchange.getResponse(),
                                HttpStatus.FORBIDDEN, DENIED, null)))
                .authorizeExchange(auth -> auth
                        .pathMatchers("/actuator/health", "/actuator/health/**", "/actuator/info", "/actuator/prometheus").permitAll()
                        // a reader (a JWT with the reader role) reads the admin API; everything else is the admin's
                        .pathMatchers(HttpMethod.GET, "/api/**").hasAnyRole(AdminJwtRoles.ADMIN, AdminJwtRoles.READER)
                        .pathMatchers(HttpMethod.HEAD, "/api/**").hasAnyRole(AdminJwtRoles.ADMIN, AdminJwtRoles.READER)
                        .anyExchange().hasRole(AdminJwtRoles.ADMIN));
        if (basic) {
            http.httpBasic(b -> b.authenticationManager(authenticationManager(admin)).authenticationEntryPoint(entryPoint));
        } else {
            http.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable);
        }
        if (jwt) {
            ReactiveJwtAuthenticationConverterAdapter roles = roles(security.jwt());
            http.oauth2ResourceServer(o -> o.jwt(j -> j.jwtDecoder(AdminJwtDecoder.of(security.jwt()))
                            .jwtAuthenticationConverter(roles))
                    .authenticationEntryPoint(entryPoint)
                    .accessDeniedHandler((exchange, denied) -> JsonErrorHandler.write(exchange.getResponse(),
                            HttpStatus.FORBIDDEN, DENIED, null)));
            log.info("admin API accepts Bearer JWTs from {}{} (admin role '{}', reader role '{}' in claim '{}', scope or scp)",
                    security.jwt().issuerUri() != null ? security.jwt().issuerUri() : security.jwt().jwkSetUri(),
                    basic ? " and HTTP Basic" : " (HTTP Basic off)", security.jwt().adminRole(), security.jwt().readerRole(),
                    security.jwt().rolesClaim());
        }
        return http.build();
    }

    private static ReactiveJwtAuthenticationConverterAdapter roles(SecurityProperties.Jwt jwt) {
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(new AdminJwtRoles(jwt));
        return new ReactiveJwtAuthenticationConverterAdapter(converter);
    }

    static ReactiveAuthenticationManager authenticationManager(AdminCredentials admin) {
        byte[] expectedUser = sha256(admin.username());
        byte[] expectedPassword = sha256(admin.password());
        return authentication -> {
            String user = authentication.getName();
            Object credentials = authentication.getCredentials();
            boolean userOk = MessageDigest.isEqual(sha256(user), expectedUser);
            boolean passwordOk = credentials != null && MessageDigest.isEqual(sha256(credentials.toString()), expectedPassword);
            if (userOk && passwordOk) {
                return Mono.just(UsernamePasswordAuthenticationToken.authenticated(user, null,
                        AuthorityUtils.createAuthorityList("ROLE_ADMIN")));
            }
            return Mono.error(new BadCredentialsException("bad credentials"));
        };
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
