package dev.otimo.experiments;

/**
 * Where an experiment is in its life. RUNNING and CONCLUDED are open: traffic is split and recorded,
 * and no other experiment may start on the model. PROMOTED and STOPPED are ended.
 */
public enum ExperimentStatus {
    /** Splitting traffic and collecting; no verdict yet. */
    RUNNING,
    /** The verdict is reached (a winner, or no difference at the planned sample); the split stays until promotion. */
    CONCLUDED,
    /** A version's weight was set to 100 and the experiment ended. */
    PROMOTED,
    /** Ended without promotion; the routing was left as it was. */
    STOPPED;

    public boolean open() {
        return this == RUNNING || this == CONCLUDED;
    }
}
