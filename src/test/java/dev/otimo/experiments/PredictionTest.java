package dev.otimo.experiments;

import dev.otimo.runtime.DataType;
import dev.otimo.runtime.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What an answer is reduced to for outcome joins, and how a reported label is scored against it. */
class PredictionTest {

    private static Tensor longs(long[] shape, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return Tensor.of("label", DataType.INT64, shape, b.flip());
    }

    @Test
    void aRowOfScoresPredictsItsTopOneIndex() {
        Prediction p = Prediction.of(List.of(Tensor.ofFloats("probabilities", new long[] {1, 3}, 0.1f, 0.7f, 0.2f)));
        assertThat(p.numeric()).isFalse();
        assertThat(p.label()).isEqualTo("1");
        assertThat(p.matches(1)).isTrue();
        assertThat(p.matches(1.0)).isTrue();
        assertThat(p.matches("1")).isTrue();
        assertThat(p.matches(2)).isFalse();
        assertThat(p.matches(true)).isTrue();
    }

    @Test
    void onlyTheFirstOutputCounts() {
        Prediction p = Prediction.of(List.of(Tensor.ofFloats("a", new long[] {1, 2}, 5f, 1f),
                Tensor.ofFloats("b", new long[] {1, 2}, 1f, 5f)));
        assertThat(p.label()).isEqualTo("0");
    }

    @Test
    void aSingleFloatIsANumberScoredByItsAbsoluteError() {
        Prediction p = Prediction.of(List.of(Tensor.ofFloats("y", new long[] {1, 1}, 2.5f)));
        assertThat(p.numeric()).isTrue();
        assertThat(p.absoluteError(4)).isEqualTo(1.5);
        assertThat(p.absoluteError("1.5")).isEqualTo(1.0);
        assertThat(p.absoluteError("cat")).isNaN();
    }

    @Test
    void aSingleIntegerOrStringIsAClass() {
        assertThat(Prediction.of(List.of(longs(new long[] {1}, 2))).label()).isEqualTo("2");
        Tensor word = Tensor.ofBytes("species", new long[] {1}, new byte[][] {"setosa".getBytes(StandardCharsets.UTF_8)});
        Prediction p = Prediction.of(List.of(word));
        assertThat(p.matches("setosa")).isTrue();
        assertThat(p.matches("virginica")).isFalse();
    }

    @Test
    void aRequestOfSeveralRowsHasNoPrediction() {
        assertThat(Prediction.of(List.of(Tensor.ofFloats("y", new long[] {2, 3}, 1, 2, 3, 4, 5, 6)))).isNull();
        assertThat(Prediction.of(List.of(longs(new long[] {3}, 0, 1, 2)))).isNull();
        assertThat(Prediction.of(List.of())).isNull();
    }
}
