package dev.otimo.registry;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/** A version and its share of traffic in percent: a row of a stored routing policy, or an arm of an experiment. */
@Embeddable
public class RoutingVariant {

    @Column(name = "version", nullable = false)
    private int version;

    @Column(name = "weight", nullable = false)
    private int weight;

    protected RoutingVariant() {
    }

    public RoutingVariant(int version, int weight) {
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
