package dev.otimo.batching;

/**
 * A batch's output whose axis 0 is not the batch's row count: the model does not batch its outputs
 * along axis 0, so its requests must run one by one. The only failure that turns batching off.
 */
public class OutputsNotBatchedException extends RuntimeException {

    public OutputsNotBatchedException(String message) {
        super(message);
    }
}
