package dev.otimo.registry;

/**
 * Published after a committed change to models, versions, deployments or routing.
 *
 * @param model  the model the change is about
 * @param what   what happened, for logs
 * @param remote true when the change was made through another replica and arrived as a notification;
 *               such events are applied here but not announced to the other replicas again
 */
public record RegistryChanged(String model, String what, boolean remote) {

    /** A change made through this replica. */
    public RegistryChanged(String model, String what) {
        this(model, what, false);
    }
}
