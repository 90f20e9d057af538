package dev.otimo.compression;

/** Life of a compression job: QUEUED, RUNNING, then SUCCEEDED, FAILED or CANCELLED (by DELETE /api/v1/jobs/{id}). */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
