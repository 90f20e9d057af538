package dev.otimo.registry;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * One admin action, as it happened: who, what, when, on which model and version, and details.
 * Names are stored as text, so entries outlive the models they are about.
 */
@Entity
@Table(name = "audit_entry")
public class AuditEntry {

    /** Longest detail kept; longer text is cut. */
    public static final int MAX_DETAIL = 4000;

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "occurred_at", nullable = false)
    private Instant occurredAt;

    @Column(nullable = false, length = 128)
    private String actor;

    @Column(nullable = false, length = 64)
    private String action;

    @Column(name = "model_name", length = 128)
    private String modelName;

    @Column(name = "version_number")
    private Integer versionNumber;

    @Column(length = MAX_DETAIL)
    private String detail;

    protected AuditEntry() {
    }

    public AuditEntry(String actor, String action, String modelName, Integer versionNumber, String detail) {
        this.occurredAt = Instant.now();
        this.actor = actor.length() > 128 ? actor.substring(0, 128) : actor;
        this.action = action;
        this.modelName = modelName;
        this.versionNumber = versionNumber;
        this.detail = detail == null || detail.length() <= MAX_DETAIL ? detail : detail.substring(0, MAX_DETAIL);
    }

    public Long getId() {
        return id;
    }

    public Instant getOccurredAt() {
        return occurredAt;
    }

    public String getActor() {
        return actor;
    }

    public String getAction() {
        return action;
    }

    public String getModelName() {
        return modelName;
    }

    public Integer getVersionNumber() {
        return versionNumber;
    }

    public String getDetail() {
        return detail;
    }
}
