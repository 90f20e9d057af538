package dev.otimo.experiments;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/** One arm of a stored experiment: a version and its share of traffic in percent. */
@Embeddable
public class ExperimentVariant {

    @Column(name = "version", nullable = false)
    private int version;

    @Column(name = "weight", nullable = false)
    private int weight;

    protected ExperimentVariant() {
    }

    public ExperimentVariant(int version, int weight) {
        this.version = version;
        this.weight = weight;
    }

    public int getVersion() {
        return version;
    }

    public int getWeight() {
        return weight;
    }
}
