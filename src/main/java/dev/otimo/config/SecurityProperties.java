package dev.otimo.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.net.URI;
import java.util.List;

/**
 * Who may call what, under {@code otimo.security.*}. The admin user itself is {@code otimo.admin.*}.
 *
 * @param apiKeys API keys for inference
 * @param basic   HTTP Basic as the admin user on the admin API
 * @param jwt     Bearer JWTs on the admin API
 * @param cors    cross-origin requests from browsers
 * @param trustedProxies addresses (IPs or CIDR blocks) of the proxies in front of Otimo; only from
 *                       these are {@code X-Forwarded-For} and {@code Forwarded} believed. Empty: none
 */
@ConfigurationProperties("otimo.security")
public record SecurityProperties(@DefaultValue ApiKeys apiKeys, @DefaultValue Basic basic,
                                 @DefaultValue Jwt jwt, @DefaultValue Cors cors,
                                 @DefaultValue List<String> trustedProxies) {

    public SecurityProperties {
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
    }

    /** @param required inference requests must carry a valid key in the {@code X-Api-Key} header */
    public record ApiKeys(@DefaultValue("false") boolean required) {
    }

    /** @param enabled accept HTTP Basic as the admin user (turn off only when JWTs are configured) */
    public record Basic(@DefaultValue("true") boolean enabled) {
    }

    /**
     * Accepting Bearer JWTs on the admin API: set the issuer (its signing keys are found through its
     * OpenID configuration) or the JWK set directly, or both (keys from the set, issuer checked).
     *
     * @param issuerUri issuer whose tokens are accepted; the {@code iss} claim must match it
     * @param jwkSetUri where the signing keys are published
     * @param audience  when set, the {@code aud} claim must contain it
     */
    public record Jwt(URI issuerUri, URI jwkSetUri, String audience) {

        public boolean enabled() {
            return issuerUri != null || jwkSetUri != null;
        }
    }

    /** @param allowedOrigins origins whose browser pages may call the APIs; empty: none */
    public record Cors(@DefaultValue List<String> allowedOrigins) {
    }
}
