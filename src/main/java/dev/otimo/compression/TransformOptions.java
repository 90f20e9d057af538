package dev.otimo.compression;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The options of one compression method, as given in the {@code options} object of a compression
 * request. Values arrive from JSON, so numbers may be any {@link Number} and lists any collection;
 * the typed getters convert them and raise {@link CompressionException} with the option's name when
 * a value has the wrong type.
 */
public final class TransformOptions {

    private static final TransformOptions EMPTY = new TransformOptions(Map.of());

    private final Map<String, Object> values;

    private TransformOptions(Map<String, Object> values) {
        this.values = values;
    }

    public static TransformOptions empty() {
        return EMPTY;
    }

    public static TransformOptions of(Map<String, ?> values) {
        return values == null || values.isEmpty() ? EMPTY : new TransformOptions(Map.copyOf(values));
    }

    /** Convenience for code and tests: {@code of("sparsity", 0.5, "scope", "global")}. */
    public static TransformOptions of(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("options need key/value pairs");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return of(map);
    }

    public Map<String, Object> asMap() {
        return values;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** Rejects any option whose name is not in {@code known}, so that a typo is not silently ignored. */
    public void requireOnly(String method, Set<String> known) {
        for (String name : values.keySet()) {
            if (!known.contains(name)) {
                throw new CompressionException("unknown option '" + name + "' for method " + method
                        + "; known options: " + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    public double getDouble(String name, double fallback) {
        Object v = values.get(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new CompressionException("option '" + name + "' must be a number, got " + v);
    }

    public int getInt(String name, int fallback) {
        double d = getDouble(name, fallback);
        if (d != Math.rint(d)) {
            throw new CompressionException("option '" + name + "' must be a whole number, got " + d);
        }
        return (int) d;
    }

    public boolean getBoolean(String name, boolean fallback) {
        Object v = values.get(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw new CompressionException("option '" + name + "' must be true or false, got " + v);
    }

    public String getString(String name, String fallback) {
        Object v = values.get(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof String s) {
            return s;
        }
        throw new CompressionException("option '" + name + "' must be a string, got " + v);
    }

    /** A string option that must be one of {@code allowed} (compared case-insensitively, returned lower-case). */
    public String getChoice(String name, String fallback, Set<String> allowed) {
        String v = getString(name, fallback).toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw new CompressionException("option '" + name + "' must be one of "
                    + String.join(", ", allowed.stream().sorted().toList()) + ", got '" + v + "'");
        }
        return v;
    }

    /** A list of strings; a single string is read as a comma-separated list. */
    public List<String> getStringList(String name, List<String> fallback) {
        Object v = values.get(name);
        if (v == null) {
            return fallback;
        }
        List<String> out = new ArrayList<>();
        if (v instanceof String s) {
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
            return out;
        }
        if (v instanceof Collection<?> c) {
            for (Object o : c) {
                if (!(o instanceof String s)) {
                    throw new CompressionException("option '" + name + "' must be a list of strings, got " + v);
                }
                out.add(s);
            }
            return out;
        }
        throw new CompressionException("option '" + name + "' must be a list of strings, got " + v);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
