package dev.otimo.runtime;

/**
 * ONNX Runtime session options for one deployment.
 *
 * @param intraOpThreads    threads inside one operator; 0 lets ONNX Runtime choose
 * @param interOpThreads    threads across independent operators
 * @param optimizationLevel none, basic, extended or all
 * @param memoryArena       whether the CPU arena allocator is on
 * @param allowSpinning     whether idle ONNX Runtime pool threads spin waiting for work; off by
 *                          default, since spinning threads take the cores the HTTP event loop needs
 */
public record SessionSettings(int intraOpThreads, int interOpThreads, String optimizationLevel, boolean memoryArena,
                              boolean allowSpinning) {

    public SessionSettings withIntraOpThreads(int threads) {
        return new SessionSettings(threads, interOpThreads, optimizationLevel, memoryArena, allowSpinning);
    }
}
