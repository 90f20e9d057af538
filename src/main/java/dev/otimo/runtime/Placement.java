package dev.otimo.runtime;

/**
 * Where a session really runs: the device asked for, the execution provider that loaded, and why
 * it fell back to CPU when it did.
 *
 * @param requested      the deployment's device
 * @param actual         the device the session runs on
 * @param fallbackReason null unless the requested provider could not load
 */
public record Placement(Device requested, Device actual, String fallbackReason) {

    public boolean fellBack() {
        return fallbackReason != null;
    }

    /** {@code cpu}, {@code cuda:0}, or {@code cpu (fallback: <reason>)}. */
    public String describe() {
        return fellBack() ? actual + " (fallback: " + fallbackReason + ")" : actual.toString();
    }
}
