package dev.otimo.registry;

/** Published after a committed change to models, versions or deployments. */
public record RegistryChanged(String model, String what) {
}
