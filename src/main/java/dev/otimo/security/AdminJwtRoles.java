package dev.otimo.security;

import dev.otimo.config.SecurityProperties;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a verified Bearer token may do on the admin API, read from its claims: {@code ROLE_ADMIN}
 * when the roles claim ({@code otimo.security.jwt.roles-claim}), {@code scope} or {@code scp}
 * names the admin role, {@code ROLE_READER} when one of them names the reader role. A claim may be a
 * JSON array of strings or one space-separated string. A token naming neither gets no role, and so
 * no access: verifying that the issuer signed it is not enough.
 */
final class AdminJwtRoles implements Converter<Jwt, Collection<GrantedAuthority>> {

    static final String ADMIN = "ADMIN";
    static final String READER = "READER";

    private final String rolesClaim;
    private final String adminRole;
    private final String readerRole;

    AdminJwtRoles(SecurityProperties.Jwt jwt) {
        this.rolesClaim = jwt.rolesClaim();
        this.adminRole = jwt.adminRole();
        this.readerRole = jwt.readerRole();
    }

    @Override
    public Collection<GrantedAuthority> convert(Jwt token) {
        Set<String> named = new TreeSet<>();
        for (String claim : List.of(rolesClaim, "scope", "scp")) {
            named.addAll(values(token.getClaims().get(claim)));
        }
        List<GrantedAuthority> roles = new ArrayList<>(2);
        if (named.contains(adminRole)) {
            roles.add(new SimpleGrantedAuthority("ROLE_" + ADMIN));
        }
        if (named.contains(readerRole)) {
            roles.add(new SimpleGrantedAuthority("ROLE_" + READER));
        }
        return roles;
    }

    /** The strings a claim holds: each element of an array, or the words of a string; nothing else. */
    private static List<String> values(Object claim) {
        if (claim instanceof String s) {
            return List.of(s.trim().split("\\s+"));
        }
        if (claim instanceof Collection<?> c) {
            return c.stream().filter(String.class::isInstance).map(String.class::cast).map(String::trim).toList();
        }
        return List.of();
    }
}
