package dev.otimo.routing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How a model's unversioned requests are spread over its versions: weighted variants (percent,
 * summing to 100), optionally sticky on a request header, optionally mirrored in part to a shadow
 * version, optionally watched by a canary guard. Immutable; {@link #validated()} checks its shape.
 *
 * @param variants     versions with their share of traffic in percent
 * @param stickyHeader header whose value pins a client to a variant while the weights stay; null: none
 * @param shadow       version that receives an asynchronous copy of some traffic; null: none
 * @param guard        limits that roll back a misbehaving variant; null: none
 */
public record RoutingPolicy(List<Variant> variants, String stickyHeader, Shadow shadow, Guard guard) {

    /** Largest number of variants in one policy. */
    public static final int MAX_VARIANTS = 16;
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}");

    public RoutingPolicy {
        variants = List.copyOf(variants);
    }

    /** A version and its share of unversioned traffic, 0 to 100 percent. */
    public record Variant(int version, int weight) {
    }

    /** The version that gets a copy of {@code percent} percent of unversioned traffic. */
    public record Shadow(int version, double percent) {
    }

    /**
     * Limits a variant other than the primary must keep over a sliding window of
     * {@code windowSeconds}; either limit may be null (not watched), not both.
     *
     * @param maxErrorRate share of failed requests, 0 to 1
     * @param maxP99Millis 99th percentile of the variant's inference time in milliseconds
     */
    public record Guard(Double maxErrorRate, Long maxP99Millis, int windowSeconds) {
    }

    /** Returns this policy when its shape is sound, else throws {@link IllegalArgumentException} saying why. */
    public RoutingPolicy validated() {
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("routing needs at least one variant: {\"variants\": [{\"version\": 1, \"weight\": 100}]}");
        }
        if (variants.size() > MAX_VARIANTS) {
            throw new IllegalArgumentException("routing takes at most " + MAX_VARIANTS + " variants, got " + variants.size());
        }
        Set<Integer> seen = new HashSet<>();
        int sum = 0;
        for (Variant v : variants) {
            if (v.version() < 1) {
                throw new IllegalArgumentException("variant version must be a version number (1 or more), was " + v.version());
            }
            if (!seen.add(v.version())) {
                throw new IllegalArgumentException("version " + v.version() + " is listed twice in variants");
            }
            if (v.weight() < 0 || v.weight() > 100) {
                throw new IllegalArgumentException("weight of version " + v.version() + " must be 0 to 100, was " + v.weight());
            }
            sum += v.weight();
        }
        if (sum != 100) {
            throw new IllegalArgumentException("variant weights must sum to 100, they sum to " + sum);
        }
        if (stickyHeader != null && !HEADER_NAME.matcher(stickyHeader).matches()) {
            throw new IllegalArgumentException("stickyHeader must be an HTTP header name (letters, digits, '-', at most 128), was '"
                    + stickyHeader + "'");
        }
        if (shadow != null) {
            if (shadow.version() < 1) {
                throw new IllegalArgumentException("shadow version must be a version number (1 or more), was " + shadow.version());
            }
            if (!(shadow.percent() >= 0 && shadow.percent() <= 100)) {
                throw new IllegalArgumentException("shadow percent must be 0 to 100, was " + shadow.percent());
            }
        }
        if (guard != null) {
            if (guard.maxErrorRate() == null && guard.maxP99Millis() == null) {
                throw new IllegalArgumentException("guard needs maxErrorRate, maxP99Millis or both");
            }
            if (guard.maxErrorRate() != null && !(guard.maxErrorRate() >= 0 && guard.maxErrorRate() <= 1)) {
                throw new IllegalArgumentException("guard maxErrorRate is a share of requests, 0 to 1, was " + guard.maxErrorRate());
            }
            if (guard.maxP99Millis() != null && guard.maxP99Millis() < 1) {
                throw new IllegalArgumentException("guard maxP99Millis must be at least 1, was " + guard.maxP99Millis());
            }
            if (guard.windowSeconds() < 1 || guard.windowSeconds() > 3600) {
                throw new IllegalArgumentException("guard windowSeconds must be 1 to 3600, was " + guard.windowSeconds());
            }
        }
        return this;
    }

    /** The heaviest variant (the first listed among equals): the one a failing variant falls back to. */
    public int primaryVersion() {
        Variant primary = variants.get(0);
        for (Variant v : variants) {
            if (v.weight() > primary.weight()) {
                primary = v;
            }
        }
        return primary.version();
    }

    /** The same policy with {@code version}'s weight moved to the primary variant. */
    public RoutingPolicy withoutVariant(int version) {
        int primary = primaryVersion();
        int moved = variants.stream().filter(v -> v.version() == version).mapToInt(Variant::weight).sum();
        List<Variant> next = new ArrayList<>(variants.size());
        for (Variant v : variants) {
            if (v.version() == version && version != primary) {
                next.add(new Variant(v.version(), 0));
            } else if (v.version() == primary && version != primary) {
                next.add(new Variant(v.version(), v.weight() + moved));
            } else {
                next.add(v);
            }
        }
        return new RoutingPolicy(next, stickyHeader, shadow, guard);
    }

    /** Every version the policy names: its variants and its shadow. */
    public Set<Integer> versions() {
        Set<Integer> all = new LinkedHashSet<>();
        variants.forEach(v -> all.add(v.version()));
        if (shadow != null) {
            all.add(shadow.version());
        }
        return all;
    }

    /** One line for logs and the audit log, e.g. {@code v1 80%, v2 20%; sticky on X-User; shadow v3 10%}. */
    public String describe() {
        StringBuilder s = new StringBuilder(variants.stream().map(v -> "v" + v.version() + " " + v.weight() + "%")
                .collect(Collectors.joining(", ")));
        if (stickyHeader != null) {
            s.append("; sticky on ").append(stickyHeader);
        }
        if (shadow != null) {
            s.append("; shadow v").append(shadow.version()).append(' ').append(shadow.percent()).append('%');
        }
        if (guard != null) {
            s.append("; guard");
            if (guard.maxErrorRate() != null) {
                s.append(" error rate <= ").append(guard.maxErrorRate());
            }
            if (guard.maxP99Millis() != null) {
                s.append(" p99 <= ").append(guard.maxP99Millis()).append(" ms");
            }
            s.append(" over ").append(guard.windowSeconds()).append(" s");
        }
        return s.toString();
    }
}
