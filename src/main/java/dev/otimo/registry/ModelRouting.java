package dev.otimo.registry;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OneToOne;
import jakarta.persistence.OrderColumn;
import jakarta.persistence.Table;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's stored routing policy: weighted variants, the sticky header, the shadow version and
 * the canary guard. Columns left null mean "not set". The routing package turns it into an
 * immutable policy; this class only holds the row.
 */
@Entity
@Table(name = "routing_policy")
public class ModelRouting {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @OneToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "model_id", nullable = false, unique = true)
    private Model model;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "routing_variant", joinColumns = @JoinColumn(name = "policy_id"))
    @OrderColumn(name = "variant_index")
    private List<RoutingVariant> variants = new ArrayList<>();

    @Column(name = "sticky_header", length = 128)
    private String stickyHeader;

    @Column(name = "shadow_version")
    private Integer shadowVersion;

    @Column(name = "shadow_percent")
    private Double shadowPercent;

    @Column(name = "guard_max_error_rate")
    private Double guardMaxErrorRate;

    @Column(name = "guard_max_p99_millis")
    private Long guardMaxP99Millis;

    @Column(name = "guard_window_seconds")
    private Integer guardWindowSeconds;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @Column(name = "updated_by", nullable = false, length = 128)
    private String updatedBy;

    protected ModelRouting() {
    }

    public ModelRouting(Model model) {
        this.model = model;
    }

    /** Replaces every setting; {@code updatedAt} becomes now. */
    public void configure(List<RoutingVariant> variants, String stickyHeader, Integer shadowVersion, Double shadowPercent,
                          Double guardMaxErrorRate, Long guardMaxP99Millis, Integer guardWindowSeconds, String updatedBy) {
        this.variants.clear();
        this.variants.addAll(variants);
        this.stickyHeader = stickyHeader;
        this.shadowVersion = shadowVersion;
        this.shadowPercent = shadowPercent;
        this.guardMaxErrorRate = guardMaxErrorRate;
        this.guardMaxP99Millis = guardMaxP99Millis;
        this.guardWindowSeconds = guardWindowSeconds;
        this.updatedBy = updatedBy;
        this.updatedAt = now();
    }

    /** Replaces only the weights (same versions, same order), as the canary guard does. */
    public void reweigh(List<RoutingVariant> variants, String updatedBy) {
        this.variants.clear();
        this.variants.addAll(variants);
        this.updatedBy = updatedBy;
        this.updatedAt = now();
    }

    // microseconds: what both databases keep, so that a row read back compares equal to itself
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    public Long getId() {
        return id;
    }

    public Model getModel() {
        return model;
    }

    public List<RoutingVariant> getVariants() {
        return List.copyOf(variants);
    }

    public String getStickyHeader() {
        return stickyHeader;
    }

    public Integer getShadowVersion() {
        return shadowVersion;
    }

    public Double getShadowPercent() {
        return shadowPercent;
    }

    public Double getGuardMaxErrorRate() {
        return guardMaxErrorRate;
    }

    public Long getGuardMaxP99Millis() {
        return guardMaxP99Millis;
    }

    public Integer getGuardWindowSeconds() {
        return guardWindowSeconds;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    public String getUpdatedBy() {
        return updatedBy;
    }
}
