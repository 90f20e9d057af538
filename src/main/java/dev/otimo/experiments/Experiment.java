package dev.otimo.experiments;

import dev.otimo.registry.RoutingVariant;
import dev.otimo.registry.Model;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OrderColumn;
import jakarta.persistence.Table;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * A stored A/B experiment: its arms (the first is the control), primary metric, alpha and planned sample,
 * and how it ended. Only the row: live counters are in memory ({@link LiveExperiment}), and
 * {@link #getSummary()} keeps the statistics as they were when it ended.
 *
 * <p>{@code open_model_id} holds the model's id while the experiment is open and null after: its unique
 * constraint is what keeps a model to one open experiment, even when two admins start one at once.
 */
@Entity
@Table(name = "experiment")
public class Experiment {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "model_id", nullable = false)
    private Model model;

    @Column(name = "open_model_id")
    private Long openModelId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private ExperimentStatus status;

    @Column(nullable = false, length = 16)
    private String metric;

    @Column(nullable = false)
    private double alpha;

    @Column(name = "min_sample_per_variant")
    private Long minSamplePerVariant;

    @Column(name = "planned_per_variant", nullable = false)
    private long plannedPerVariant;

    @Column(name = "auto_promote", nullable = false)
    private boolean autoPromote;

    @Column(name = "winner")
    private Integer winner;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "experiment_variant", joinColumns = @JoinColumn(name = "experiment_id"))
    @OrderColumn(name = "variant_index")
    private List<RoutingVariant> variants = new ArrayList<>();

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "created_by", nullable = false, length = 128)
    private String createdBy;

    @Column(name = "ended_at")
    private Instant endedAt;

    @Column(name = "ended_by", length = 128)
    private String endedBy;

    @Column(length = 65535)
    private String summary;

    protected Experiment() {
    }

    public Experiment(Model model, List<RoutingVariant> variants, Metric metric, double alpha, Long minSamplePerVariant,
                      long plannedPerVariant, boolean autoPromote, String createdBy) {
        this.model = model;
        this.openModelId = model.getId();
        this.status = ExperimentStatus.RUNNING;
        this.variants.addAll(variants);
        this.metric = metric.wireName();
        this.alpha = alpha;
        this.minSamplePerVariant = minSamplePerVariant;
        this.plannedPerVariant = plannedPerVariant;
        this.autoPromote = autoPromote;
        this.createdBy = createdBy;
        this.createdAt = now();
    }

    /** The verdict is reached; the experiment stays open until it is promoted or stopped. */
    public void conclude(Integer winner) {
        this.status = ExperimentStatus.CONCLUDED;
        this.winner = winner;
    }

    /** Ends the experiment as PROMOTED or STOPPED, keeping the statistics of the moment in {@code summary}. */
    public void end(ExperimentStatus ended, Integer winner, String actor, String summary) {
        if (ended.open()) {
            throw new IllegalArgumentException("an experiment ends as PROMOTED or STOPPED, not " + ended);
        }
        this.status = ended;
        this.winner = winner;
        this.openModelId = null;
        this.endedBy = actor;
        this.endedAt = now();
        this.summary = summary;
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

    public ExperimentStatus getStatus() {
        return status;
    }

    public Metric getMetric() {
        return Metric.fromWireName(metric);
    }

    public double getAlpha() {
        return alpha;
    }

    public Long getMinSamplePerVariant() {
        return minSamplePerVariant;
    }

    public long getPlannedPerVariant() {
        return plannedPerVariant;
    }

    public boolean isAutoPromote() {
        return autoPromote;
    }

    public Integer getWinner() {
        return winner;
    }

    public List<RoutingVariant> getVariants() {
        return List.copyOf(variants);
    }

    /** The first variant: the version the others are compared with. */
    public int controlVersion() {
        return variants.get(0).getVersion();
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public String getCreatedBy() {
        return createdBy;
    }

    public Instant getEndedAt() {
        return endedAt;
    }

    public String getEndedBy() {
        return endedBy;
    }

    /** The statistics as JSON when the experiment ended (the detail view's variants, comparisons and verdict), or null. */
    public String getSummary() {
        return summary;
    }
}
