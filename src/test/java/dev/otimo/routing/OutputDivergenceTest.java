package dev.otimo.routing;

import dev.otimo.runtime.DataType;
import dev.otimo.runtime.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class OutputDivergenceTest {

    @Test
    void identicalOutputsDoNotDiverge() {
        Tensor y = Tensor.ofFloats("y", new long[] {1, 3}, 1, -2, 3);
        OutputDivergence d = OutputDivergence.between(List.of(y), List.of(y)).orElseThrow();
        assertThat(d.maxAbsDiff()).isZero();
        assertThat(d.cosine()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void measuresLargestDifferenceAndCosineAcrossOutputs() {
        List<Tensor> primary = List.of(Tensor.ofFloats("a", new long[] {2}, 1, 0), Tensor.ofFloats("b", new long[] {1}, 0));
        List<Tensor> shadow = List.of(Tensor.ofFloats("b", new long[] {1}, 1), Tensor.ofFloats("a", new long[] {2}, 1, 0));
        OutputDivergence d = OutputDivergence.between(primary, shadow).orElseThrow();
        assertThat(d.maxAbsDiff()).isEqualTo(1.0);
        // [1, 0, 0] against [1, 0, 1]
        assertThat(d.cosine()).isCloseTo(1 / Math.sqrt(2), within(1e-12));
    }

    @Test
    void comparesIntegerOutputsAndSkipsOutputsOfAnotherShape() {
        ByteBuffer ints = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(5).putInt(-7).flip();
        ByteBuffer other = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(5).putInt(-4).flip();
        OutputDivergence d = OutputDivergence.between(
                List.of(Tensor.of("k", DataType.INT32, new long[] {2}, ints), Tensor.ofFloats("z", new long[] {1}, 1)),
                List.of(Tensor.of("k", DataType.INT32, new long[] {2}, other), Tensor.ofFloats("z", new long[] {2}, 1, 1))).orElseThrow();
        assertThat(d.maxAbsDiff()).isEqualTo(3.0);
        assertThat(OutputDivergence.between(List.of(Tensor.ofFloats("z", new long[] {1}, 1)),
                List.of(Tensor.ofFloats("w", new long[] {1}, 1)))).isEmpty();
    }
}
