package dev.otimo.batching;

/**
 * A request refused or abandoned because a runner thread of its deployment stopped: the
 * deployment no longer serves, and the message says why.
 */
public class RunnerStoppedException extends RuntimeException {

    private final String reason;

    /**
     * @param deployment the deployment's name
     * @param reason     {@code runner thread stopped: <cause>}
     */
    RunnerStoppedException(String deployment, String reason, Throwable cause) {
        super(deployment + " no longer serves: " + reason + "; redeploy it", cause, false, false);
        this.reason = reason;
    }

    /** Why the deployment stopped serving: {@code runner thread stopped: <cause>}. */
    public String reason() {
        return reason;
    }
}
