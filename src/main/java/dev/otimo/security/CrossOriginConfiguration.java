package dev.otimo.security;

import dev.otimo.config.SecurityProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsWebFilter;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;

import java.time.Duration;
import java.util.List;

/**
 * Cross-origin requests from the origins in {@code otimo.security.cors.allowed-origins}, on every
 * path (inference included). With none configured (the default) no filter exists: browsers refuse
 * cross-origin calls, and the hot path has one filter less.
 */
@Configuration
@Conditional(CrossOriginConfiguration.OriginsConfigured.class)
public class CrossOriginConfiguration {

    private static final Logger log = LoggerFactory.getLogger(CrossOriginConfiguration.class);
    private static final String PROPERTY = "otimo.security.cors.allowed-origins";

    @Bean
    CorsWebFilter crossOriginFilter(SecurityProperties properties) {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOriginPatterns(properties.cors().allowedOrigins());
        cors.setAllowedMethods(List.of("GET", "HEAD", "POST", "PUT", "DELETE"));
        cors.setAllowedHeaders(List.of("*"));
        cors.setExposedHeaders(List.of("X-Otimo-Model-Version", "Inference-Header-Content-Length", "Retry-After"));
        cors.setMaxAge(Duration.ofHours(1));
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/**", cors);
        log.info("cross-origin requests allowed from {}", properties.cors().allowedOrigins());
        return new FirstCorsWebFilter(source);
    }

    /** Ahead of every other filter, the inference route included, so its answers carry the headers too. */
    private static final class FirstCorsWebFilter extends CorsWebFilter implements Ordered {

        FirstCorsWebFilter(UrlBasedCorsConfigurationSource source) {
            super(source);
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }
    }

    /** True when at least one origin is configured. */
    static final class OriginsConfigured implements Condition {

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return Binder.get(context.getEnvironment()).bind(PROPERTY, Bindable.listOf(String.class))
                    .map(origins -> origins.stream().anyMatch(o -> !o.isBlank())).orElse(false);
        }
    }
}
