package dev.otimo.registry;

import dev.otimo.batching.BatchingPolicy;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OneToOne;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The wish that a version be served: device, runner instances, threads and batching policy. */
@Entity
@Table(name = "deployment")
public class Deployment {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @OneToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "version_id", nullable = false, unique = true)
    private ModelVersion version;

    @Column(nullable = false, length = 64)
    private String device;

    @Column(nullable = false)
    private int instances;

    @Column(name = "intra_op_threads", nullable = false)
    private int intraOpThreads;

    @Column(name = "max_batch_size", nullable = false)
    private int maxBatchSize;

    @Column(name = "max_queue_delay_micros", nullable = false)
    private long maxQueueDelayMicros;

    @Column(name = "preferred_batch_sizes", nullable = false, length = 512)
    private String preferredBatchSizes;

    @Column(name = "queue_capacity", nullable = false)
    private int queueCapacity;

    @Column(name = "default_timeout_micros", nullable = false)
    private long defaultTimeoutMicros;

    @Column(name = "priority_levels", nullable = false)
    private int priorityLevels;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected Deployment() {
    }

    public Deployment(ModelVersion version) {
        this.version = version;
    }

    public void configure(String device, int instances, int intraOpThreads, BatchingPolicy policy) {
        this.device = device;
        this.instances = instances;
        this.intraOpThreads = intraOpThreads;
        this.maxBatchSize = policy.maxBatchSize();
        this.maxQueueDelayMicros = policy.maxQueueDelayMicros();
        this.preferredBatchSizes = policy.preferredBatchSizes().stream().map(String::valueOf).collect(Collectors.joining(","));
        this.queueCapacity = policy.queueCapacity();
        this.defaultTimeoutMicros = policy.defaultTimeoutMicros();
        this.priorityLevels = policy.priorityLevels();
        this.updatedAt = Instant.now();
    }

    public BatchingPolicy batchingPolicy() {
        List<Integer> preferred = preferredBatchSizes == null || preferredBatchSizes.isBlank() ? List.of()
                : Arrays.stream(preferredBatchSizes.split(",")).map(String::trim).map(Integer::valueOf).toList();
        return new BatchingPolicy(maxBatchSize, maxQueueDelayMicros, preferred, queueCapacity, defaultTimeoutMicros, priorityLevels);
    }

    public Long getId() {
        return id;
    }

    public ModelVersion getVersion() {
        return version;
    }

    public String getDevice() {
        return device;
    }

    public int getInstances() {
        return instances;
    }

    public int getIntraOpThreads() {
        return intraOpThreads;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }
}
