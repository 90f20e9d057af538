package dev.otimo.bench;

import dev.otimo.runtime.Device;
import dev.otimo.runtime.ModelSession;
import dev.otimo.runtime.OrtRuntime;
import dev.otimo.runtime.SessionSettings;
import dev.otimo.runtime.Signature;
import dev.otimo.runtime.Tensor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/** In-process ONNX Runtime throughput of a model at batch sizes 1..128: the compute ceiling. */
final class RawThroughput {

    static final int[] BATCHES = {1, 2, 4, 8, 16, 32, 64, 128};

    private RawThroughput() {
    }

    /** Rows per second by batch size. */
    static Map<Integer, Double> measure(OrtRuntime runtime, Path model, Signature signature, int width,
                                        int threads, double secondsPerBatch) throws Exception {
        Map<Integer, Double> rowsPerSecond = new LinkedHashMap<>();
        try (ModelSession session = runtime.open(model, signature, Device.CPU, new SessionSettings(threads, 1, "all", true, false))) {
            for (int batch : BATCHES) {
                List<Tensor> input = List.of(Tensor.ofFloats("input", new long[] {batch, width}, random(batch * width, batch)));
                long warm = System.nanoTime() + 300_000_000L;
                while (System.nanoTime() < warm) {
                    session.run(input, Set.of());
                }
                long runs = 0;
                long start = System.nanoTime();
                long end = start + (long) (secondsPerBatch * 1e9);
                while (System.nanoTime() < end) {
                    session.run(input, Set.of());
                    runs++;
                }
                rowsPerSecond.put(batch, runs * batch / ((System.nanoTime() - start) / 1e9));
            }
        }
        return rowsPerSecond;
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}
