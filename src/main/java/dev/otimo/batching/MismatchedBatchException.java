package dev.otimo.batching;

/**
 * Requests that share a batch but cannot be stacked, such as one lacking an input the others have.
 * Requests reach the batcher checked against the signature, so this is a fault in Otimo: it fails
 * that batch's requests and leaves batching on.
 */
public class MismatchedBatchException extends RuntimeException {

    public MismatchedBatchException(String message) {
        super(message);
    }
}
