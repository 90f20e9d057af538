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
     * A verified token still needs a role: ADMIN may do everything, READER may only read
     * ({@code GET}/{@code HEAD} under {@code /api/}); a token with neither gets 403.
     *
     * @param issuerUri  issuer whose tokens are accepted; the {@code iss} claim must match it
     * @param jwkSetUri  where the signing keys are published
     * @param issuer     the {@code iss} value required when only {@code jwk-set-uri} is set (with
     *                   {@code issuer-uri} set, that one is required)
     * @param audience   when set, the {@code aud} claim must contain it
     * @param rolesClaim the claim listing the token's roles (an array of strings or a space-separated string)
     * @param adminRole  the role (in the roles claim, {@code scope} or {@code scp}) that grants ADMIN
     * @param readerRole the role (likewise) that grants READER
     */
    public record Jwt(URI issuerUri, URI jwkSetUri, String issuer, String audience,
                      @DefaultValue("roles") String rolesClaim,
                      @DefaultValue("otimo-admin") String adminRole,
                      @DefaultValue("otimo-reader") String readerRole) {

        public boolean enabled() {
            return issuerUri != null || jwkSetUri != null;
        }

        /** The {@code iss} every token must carry, or null when none is configured. */
        public String expectedIssuer() {
            if (issuerUri != null) {
                return issuerUri.toString();
            }
            return issuer == null || issuer.isBlank() ? null : issuer;
        }
    }

    /** @param allowedOrigins origins whose browser pages may call the APIs; empty: none */
    public record Cors(@DefaultValue List<String> allowedOrigins) {
    }
}
