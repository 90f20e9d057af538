package dev.otimo.compression;

import dev.otimo.registry.Model;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import java.time.Instant;

/** One compression of a parent version by a recipe: its progress, and its result or error. */
@Entity
@Table(name = "compression_job")
public class CompressionJob {

    @Id
    @Column(length = 36)
    private String id;

    @ManyToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "model_id", nullable = false)
    private Model model;

    @Column(name = "parent_version", nullable = false)
    private int parentVersion;

    /** The recipe as JSON: [{method, options}]. */
    @Column(nullable = false, length = 8000)
    private String recipe;

    /** The calibration request as JSON, or null. */
    @Column(length = 2000)
    private String calibration;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private JobStatus status;

    @Column(nullable = false)
    private int progress;

    @Column(length = 256)
    private String step;

    @Column(name = "result_version")
    private Integer resultVersion;

    @Column(length = 65535)
    private String report;

    @Column(length = 4000)
    private String error;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected CompressionJob() {
    }

    public CompressionJob(String id, Model model, int parentVersion, String recipeJson, String calibrationJson) {
        this.id = id;
        this.model = model;
        this.parentVersion = parentVersion;
        this.recipe = recipeJson;
        this.calibration = calibrationJson;
        this.status = JobStatus.QUEUED;
        this.createdAt = Instant.now();
        this.updatedAt = createdAt;
    }

    public void running(int progress, String step) {
        this.status = JobStatus.RUNNING;
        this.progress = progress;
        this.step = step;
        this.updatedAt = Instant.now();
    }

    /** @param resultVersion null when the child was not registered (no gain, see the report) */
    public void succeeded(Integer resultVersion, String reportJson) {
        this.status = JobStatus.SUCCEEDED;
        this.progress = 100;
        this.step = resultVersion == null ? "no gain: not registered" : "done";
        this.resultVersion = resultVersion;
        this.report = reportJson;
        this.updatedAt = Instant.now();
    }

    public void cancelled(String actor) {
        this.status = JobStatus.CANCELLED;
        this.error = "cancelled by " + actor + " at step '" + step + "'";
        this.updatedAt = Instant.now();
    }

    public void failed(String error) {
        this.status = JobStatus.FAILED;
        this.error = error == null ? "unknown error" : (error.length() > 4000 ? error.substring(0, 4000) : error);
        this.updatedAt = Instant.now();
    }

    public String getId() {
        return id;
    }

    public Model getModel() {
        return model;
    }

    public int getParentVersion() {
        return parentVersion;
    }

    public String getRecipe() {
        return recipe;
    }

    public String getCalibration() {
        return calibration;
    }

    public JobStatus getStatus() {
        return status;
    }

    public int getProgress() {
        return progress;
    }

    public String getStep() {
        return step;
    }

    public Integer getResultVersion() {
        return resultVersion;
    }

    public String getReport() {
        return report;
    }

    public String getError() {
        return error;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }
}
