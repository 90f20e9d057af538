package dev.otimo.serving;

import dev.otimo.registry.VersionStatus;
import dev.otimo.runtime.Signature;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * A model as the hot path sees it: every registered version with its status and signature, and
 * the live deployment of those that are deployed.
 */
public record ServedModel(String name, SortedMap<Integer, VersionEntry> versions) {

    /** One version: READY/FAILED/..., its signature (null until READY) and its live deployment, if any. */
    public record VersionEntry(int number, VersionStatus status, Signature signature, LiveDeployment deployment) {
    }

    public Optional<VersionEntry> version(int number) {
        return Optional.ofNullable(versions.get(number));
    }

    /** Deployments that serve, highest version first. */
    public List<LiveDeployment> servingDeployments() {
        return versions.values().stream().map(VersionEntry::deployment)
                .filter(d -> d != null && d.isReady())
                .sorted((a, b) -> Integer.compare(b.version(), a.version()))
                .toList();
    }

    /** The entry v2 metadata describes when no version is named: newest deployed, else newest READY. */
    public Optional<VersionEntry> defaultVersion() {
        Optional<VersionEntry> deployed = versions.values().stream().filter(v -> v.deployment() != null)
                .reduce((a, b) -> b);
        if (deployed.isPresent()) {
            return deployed;
        }
        return versions.values().stream().filter(v -> v.status() == VersionStatus.READY).reduce((a, b) -> b);
    }

    static ServedModel of(String name, Map<Integer, VersionEntry> versions) {
        return new ServedModel(name, new java.util.TreeMap<>(versions));
    }
}
