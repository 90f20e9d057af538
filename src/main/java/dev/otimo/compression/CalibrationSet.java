package dev.otimo.compression;

import dev.otimo.registry.Model;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import java.time.Instant;

/** An uploaded set of calibration inputs (v2 requests, one per line), kept as a file under the data directory. */
@Entity
@Table(name = "calibration_set")
public class CalibrationSet {

    @Id
    @Column(length = 36)
    private String id;

    @ManyToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "model_id", nullable = false)
    private Model model;

    @Column(nullable = false)
    private int samples;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    protected CalibrationSet() {
    }

    public CalibrationSet(String id, Model model, int samples) {
        this.id = id;
        this.model = model;
        this.samples = samples;
        this.createdAt = Instant.now();
    }

    public String getId() {
        return id;
    }

    public Model getModel() {
        return model;
    }

    public int getSamples() {
        return samples;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }
}
