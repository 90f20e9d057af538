package dev.otimo.security;

import dev.otimo.config.SecurityProperties;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The decoder of the admin API's Bearer tokens: signature checked against the issuer's keys (found
 * through its OpenID configuration on first use, or at the configured JWK set), expiry and, when
 * configured, issuer ({@code issuer-uri}, else {@code issuer}) and audience checked. What a token
 * may do is {@link AdminJwtRoles}' business.
 */
final class AdminJwtDecoder {

    private AdminJwtDecoder() {
    }

    static ReactiveJwtDecoder of(SecurityProperties.Jwt jwt) {
        NimbusReactiveJwtDecoder decoder = jwt.jwkSetUri() != null
                ? NimbusReactiveJwtDecoder.withJwkSetUri(jwt.jwkSetUri().toString()).build()
                : NimbusReactiveJwtDecoder.withIssuerLocation(jwt.issuerUri().toString()).build();
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        String issuer = jwt.expectedIssuer();
        validators.add(issuer != null ? JwtValidators.createDefaultWithIssuer(issuer) : JwtValidators.createDefault());
        if (jwt.audience() != null && !jwt.audience().isBlank()) {
            String audience = jwt.audience();
            validators.add(new JwtClaimValidator<Collection<String>>(JwtClaimNames.AUD,
                    aud -> aud != null && aud.contains(audience)));
        }
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
        return decoder;
    }
}
