package dev.otimo.runtime;

/**
 * ONNX Runtime session options for one deployment.
 *
 * @param intraOpThreads    threads inside one operator; 0 lets ONNX Runtime choose
 * @param interOpThreads    threads across independent operators
 * @param optimizationLevel none, basic, extended or all
 * @param memoryArena       whether the CPU arena allocator is on
 */
public record SessionSettings(int intraOpThreads, int interOpThreads, String optimizationLevel, boolean memoryArena) {

    public SessionSettings withIntraOpThreads(int threads) {
        return new SessionSettings(threads, interOpThreads, optimizationLevel, memoryArena);
    }
}
