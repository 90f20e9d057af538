package dev.otimo.runtime;

import java.util.Locale;

/**
 * Where a deployment asks to run: {@code cpu}, {@code cuda[:id]} or {@code tensorrt[:id]}.
 */
public record Device(Kind kind, int id) {

    public enum Kind { CPU, CUDA, TENSORRT }

    public static final Device CPU = new Device(Kind.CPU, 0);

    /**
     * Parses the deployment's device text.
     *
     * @throws IllegalArgumentException with a message naming the accepted forms
     */
    public static Device parse(String text) {
        if (text == null || text.isBlank()) {
            return CPU;
        }
        String[] parts = text.trim().toLowerCase(Locale.ROOT).split(":", 2);
        Kind kind = switch (parts[0]) {
            case "cpu" -> Kind.CPU;
            case "cuda", "gpu" -> Kind.CUDA;
            case "tensorrt", "trt" -> Kind.TENSORRT;
            default -> throw new IllegalArgumentException(
                    "device '" + text + "' is not one of cpu, cuda, cuda:<id>, tensorrt, tensorrt:<id>");
        };
        int id = 0;
        if (parts.length == 2) {
            try {
                id = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("device id in '" + text + "' is not a number");
            }
            if (id < 0 || id > 63) {
                throw new IllegalArgumentException("device id in '" + text + "' must be between 0 and 63");
            }
        }
        return new Device(kind, id);
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : kind.name().toLowerCase(Locale.ROOT) + ":" + id;
    }
}
