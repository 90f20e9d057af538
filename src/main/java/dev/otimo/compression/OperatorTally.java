package dev.otimo.compression;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per operator type, how many nodes a transform changed and how many it left alone, and why: a report
 * that says "quantized {Add=11}" without saying that 119 Convs were skipped for their FLOAT16 weights
 * hides the one thing the reader needs to know.
 */
final class OperatorTally {

    private final Map<String, Integer> transformed = new TreeMap<>();
    private final Map<String, Map<String, Integer>> skipped = new TreeMap<>();

    void transformed(String op) {
        transformed.merge(op, 1, Integer::sum);
        skipped.computeIfAbsent(op, k -> new TreeMap<>());
    }

    void skipped(String op, String reason) {
        transformed.putIfAbsent(op, 0);
        skipped.computeIfAbsent(op, k -> new TreeMap<>()).merge(reason, 1, Integer::sum);
    }

    int transformed(String op, int fallback) {
        return transformed.getOrDefault(op, fallback);
    }

    /** Counts of the transformed nodes by operator, leaving out operators with none. */
    Map<String, Integer> transformedCounts() {
        Map<String, Integer> out = new TreeMap<>();
        transformed.forEach((op, n) -> {
            if (n > 0) {
                out.put(op, n);
            }
        });
        return out;
    }

    /** {@code {Conv: {transformed: 3, skipped: {"weights not constant": 1}}, ...}} */
    Map<String, Object> asMap() {
        Map<String, Object> out = new TreeMap<>();
        for (Map.Entry<String, Integer> e : transformed.entrySet()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("transformed", e.getValue());
            Map<String, Integer> reasons = skipped.getOrDefault(e.getKey(), Map.of());
            entry.put("skipped", reasons.values().stream().mapToInt(Integer::intValue).sum());
            entry.put("reasons", Map.copyOf(reasons));
            out.put(e.getKey(), entry);
        }
        return out;
    }

    /** A note on the heavy operators left in float, e.g. "left in float: Conv 2 (weights not constant)". */
    String skippedNote(java.util.Set<String> heavy) {
        StringBuilder s = new StringBuilder();
        for (String op : heavy) {
            Map<String, Integer> reasons = skipped.getOrDefault(op, Map.of());
            if (!reasons.isEmpty()) {
                s.append(s.isEmpty() ? "" : "; ").append(op).append(' ').append(reasons);
            }
        }
        return s.isEmpty() ? null : "left in float: " + s;
    }
}
