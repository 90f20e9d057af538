package dev.otimo.compression;

/** Life of a compression job. */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED
}
