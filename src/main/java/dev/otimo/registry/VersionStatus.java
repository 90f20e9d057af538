package dev.otimo.registry;

/** Life of a model version: bytes arriving, being checked, servable, or refused with a reason. */
public enum VersionStatus {
    UPLOADING, VALIDATING, READY, FAILED
}
