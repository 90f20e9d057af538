package dev.otimo.registry;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * One immutable artifact of a model, numbered from 1 per model. Carries what was read from the
 * ONNX file (signature, opset, producer) and, for compressed versions, its lineage and report.
 */
@Entity
@Table(name = "model_version")
public class ModelVersion {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "model_id", nullable = false)
    private Model model;

    @Column(nullable = false)
    private int number;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private VersionStatus status;

    @Column(name = "status_reason", length = 4000)
    private String statusReason;

    @Column(length = 64)
    private String sha256;

    @Column(name = "size_bytes")
    private Long sizeBytes;

    private Integer opset;

    @Column(length = 256)
    private String producer;

    /** The v2 signature as JSON (see {@link SignatureJson}). */
    @Column(length = 65535)
    private String signature;

    @Column(name = "parent_version")
    private Integer parentVersion;

    @Column(length = 8000)
    private String recipe;

    @Column(length = 65535)
    private String report;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    protected ModelVersion() {
    }

    public ModelVersion(Model model, int number) {
        this.model = model;
        this.number = number;
        this.status = VersionStatus.UPLOADING;
        this.createdAt = Instant.now();
    }

    public void validating(String sha256, long sizeBytes) {
        this.status = VersionStatus.VALIDATING;
        this.sha256 = sha256;
        this.sizeBytes = sizeBytes;
    }

    public void ready(String signatureJson, int opset, String producer) {
        this.status = VersionStatus.READY;
        this.statusReason = null;
        this.signature = signatureJson;
        this.opset = opset;
        this.producer = producer;
    }

    public void failed(String reason) {
        this.status = VersionStatus.FAILED;
        this.statusReason = reason.length() > 4000 ? reason.substring(0, 4000) : reason;
    }

    public void lineage(int parentVersion, String recipeJson) {
        this.parentVersion = parentVersion;
        this.recipe = recipeJson;
    }

    public void report(String reportJson) {
        this.report = reportJson;
    }

    public Long getId() {
        return id;
    }

    public Model getModel() {
        return model;
    }

    public int getNumber() {
        return number;
    }

    public VersionStatus getStatus() {
        return status;
    }

    public String getStatusReason() {
        return statusReason;
    }

    public String getSha256() {
        return sha256;
    }

    public Long getSizeBytes() {
        return sizeBytes;
    }

    public Integer getOpset() {
        return opset;
    }

    public String getProducer() {
        return producer;
    }

    public String getSignature() {
        return signature;
    }

    public Integer getParentVersion() {
        return parentVersion;
    }

    public String getRecipe() {
        return recipe;
    }

    public String getReport() {
        return report;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }
}
