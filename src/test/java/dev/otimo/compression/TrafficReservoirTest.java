package dev.otimo.compression;

import dev.otimo.runtime.DataType;
import dev.otimo.runtime.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The reservoir keeps a uniform sample of answered requests, never a non-finite value, within its byte budget. */
class TrafficReservoirTest {

    private static Tensor floats(int n, float value) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, value);
        return Tensor.ofFloats("x", new long[] {1, n}, v);
    }

    @Test
    void nanAndInfinityInputsAreNeverSampled() {
        TrafficReservoir reservoir = new TrafficReservoir(16, 1 << 20);
        reservoir.offer("m", List.of(floats(4, Float.NaN)));
        reservoir.offer("m", List.of(floats(4, Float.POSITIVE_INFINITY)));
        ByteBuffer fp64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(1).putDouble(Double.NEGATIVE_INFINITY).flip();
        reservoir.offer("m", List.of(Tensor.of("x", DataType.FP64, new long[] {1, 2}, fp64)));
        ByteBuffer fp16 = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x7e00).flip();
        reservoir.offer("m", List.of(Tensor.of("x", DataType.FP16, new long[] {1, 1}, fp16)));
        assertThat(reservoir.snapshot("m", 100)).isEmpty();
        reservoir.offer("m", List.of(floats(4, 1.5f)));
        assertThat(reservoir.snapshot("m", 100)).hasSize(1);
    }

    @Test
    void largeRequestsNeverTakeTheReservoirPastItsByteBudget() {
        long budget = 1 << 20;
        TrafficReservoir reservoir = new TrafficReservoir(256, budget);
        for (int i = 0; i < 2000; i++) {
            // 64 KB a request: 256 of them would be 16 MB
            reservoir.offer("model-" + (i % 3), List.of(floats(16_384, i)));
            assertThat(reservoir.bytes()).isLessThanOrEqualTo(budget);
        }
        long kept = 0;
        for (int m = 0; m < 3; m++) {
            kept += reservoir.snapshot("model-" + m, 256).size();
        }
        assertThat(kept).isEqualTo(budget / (16_384 * 4));
        assertThat(reservoir.bytes()).isEqualTo(kept * 16_384 * 4);
    }

    @Test
    void replacedSamplesGiveTheirBytesBack() {
        TrafficReservoir reservoir = new TrafficReservoir(4, 1 << 20);
        for (int i = 0; i < 10_000; i++) {
            reservoir.offer("m", List.of(floats(8, i)));
        }
        assertThat(reservoir.snapshot("m", 10)).hasSize(4);
        assertThat(reservoir.bytes()).isEqualTo(4 * 8 * 4);
    }
}
