package dev.otimo.compression;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The compression methods by the name used in requests. */
public final class TransformRegistry {

    private final Map<String, Transform> transforms;

    private TransformRegistry(Map<String, Transform> transforms) {
        this.transforms = transforms;
    }

    /**
     * {@code int8-dynamic}, {@code int8-static}, {@code fp16}, {@code fp32}, {@code prune} and {@code optimize}.
     */
    public static TransformRegistry standard() {
        return of(new Int8DynamicQuantization(), new Int8StaticQuantization(), new Fp16Conversion(),
                new Fp32UpCast(), new MagnitudePruning(), new GraphOptimization());
    }

    public static TransformRegistry of(Transform... transforms) {
        Map<String, Transform> map = new LinkedHashMap<>();
        for (Transform t : transforms) {
            map.put(t.name(), t);
        }
        return new TransformRegistry(Map.copyOf(map));
    }

    /**
     * @throws CompressionException when no method has that name
     */
    public Transform get(String method) {
        Transform t = method == null ? null : transforms.get(method);
        if (t == null) {
            throw new CompressionException("unknown compression method '" + method + "'; use one of "
                    + String.join(", ", methods()));
        }
        return t;
    }

    public Set<String> methods() {
        return new java.util.TreeSet<>(transforms.keySet());
    }

    Collection<Transform> all() {
        return transforms.values();
    }
}
