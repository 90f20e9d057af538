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

/**
 * An uploaded set of calibration inputs (v2 requests, one per line). Its bytes live in the artifact
 * store under their sha256, so every replica can read them; sets stored by earlier versions have no
 * sha256 and are read from {@code <dataDir>/calibration/<id>.jsonl}.
 */
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

    @Column(length = 64)
    private String sha256;

    @Column(name = "size_bytes")
    private Long sizeBytes;

    protected CalibrationSet() {
    }

    public CalibrationSet(String id, Model model, int samples, String sha256, long sizeBytes) {
        this.id = id;
        this.model = model;
        this.samples = samples;
        this.sha256 = sha256;
        this.sizeBytes = sizeBytes;
        this.createdAt = Instant.now();
    }

    /** The sha256 of the set's bytes in the artifact store; null for a set kept as a local file. */
    public String getSha256() {
        return sha256;
    }

    public Long getSizeBytes() {
        return sizeBytes;
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
