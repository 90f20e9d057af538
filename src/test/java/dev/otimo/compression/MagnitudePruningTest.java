package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MagnitudePruningTest {

    private final MagnitudePruning transform = new MagnitudePruning();

    private TransformResult apply(ModelProto model, Object... options) {
        return transform.apply(model, TransformOptions.of(options), CalibrationData.none());
    }

    private static double zeroShare(TensorProto t) {
        float[] v = Tensors.floats(t);
        long zeros = 0;
        for (float x : v) {
            if (x == 0f) {
                zeros++;
            }
        }
        return (double) zeros / v.length;
    }

    @Test
    void prunesEveryLayerToTheTargetSparsity() {
        TransformResult r = apply(TestModels.mlp(), "sparsity", 0.6);
        for (TensorProto t : r.model().getGraph().getInitializerList()) {
            if (t.getName().startsWith("w")) {
                assertThat(zeroShare(t)).as(t.getName()).isCloseTo(0.6, within(0.001));
            } else {
                assertThat(zeroShare(t)).as(t.getName() + " (bias is not pruned)").isLessThan(0.1);
            }
        }
        assertThat((double) r.extras().get("achievedSparsity")).isCloseTo(0.6, within(0.001));
    }

    @Test
    void globalScopeReachesTheTargetOverAllLayersTogether() {
        TransformResult r = apply(TestModels.mlp(), "sparsity", 0.5, "scope", "global");
        assertThat((double) r.extras().get("achievedSparsity")).isCloseTo(0.5, within(0.001));
        // One threshold for all: the layers end up with different sparsities.
        double w0 = zeroShare(r.model().getGraph().getInitializer(0));
        double w2 = zeroShare(r.model().getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals("w2")).findFirst().orElseThrow());
        assertThat(Math.abs(w0 - w2)).isGreaterThan(0.01);
    }

    @Test
    void reportsSmallerCompressedSizeAndUnchangedDenseSpeed() {
        TransformResult r = apply(TestModels.mlp(), "sparsity", 0.8);
        assertThat((long) r.extras().get("gzipBytesAfter")).isLessThan((long) r.extras().get("gzipBytesBefore") * 6 / 10);
        assertThat(r.notes()).anyMatch(n -> n.contains("inference speed is unchanged"));
    }

    // The fixture's weights are random, with none of the redundancy of trained ones, so the bound is loose.
    @Test
    void prunedModelStaysCloseAtLowSparsity() {
        ModelProto parent = TestModels.mlp();
        var inputs = TestModels.samples("input", new long[] {16, 64}, 2, 8);
        assertThat(TestModels.compare(parent, apply(parent, "sparsity", 0.2).model(), inputs).meanCosine())
                .isGreaterThanOrEqualTo(0.98);
    }

    @Test
    void rejectsSparsityAboveOne() {
        assertThatThrownBy(() -> apply(TestModels.mlp(), "sparsity", 1.5))
                .isInstanceOf(CompressionException.class).hasMessageContaining("sparsity");
    }

    @Test
    void rejectsNegativeSparsity() {
        assertThatThrownBy(() -> apply(TestModels.mlp(), "sparsity", -0.1))
                .isInstanceOf(CompressionException.class).hasMessageContaining("sparsity");
    }

    @Test
    void rejectsSparsityThatIsNotANumber() {
        assertThatThrownBy(() -> apply(TestModels.mlp(), "sparsity", "half"))
                .isInstanceOf(CompressionException.class).hasMessageContaining("sparsity");
    }

    @Test
    void rejectsUnknownScope() {
        assertThatThrownBy(() -> apply(TestModels.mlp(), "scope", "channel"))
                .isInstanceOf(CompressionException.class).hasMessageContaining("scope");
    }
}
