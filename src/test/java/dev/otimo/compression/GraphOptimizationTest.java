package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GraphOptimizationTest {

    private final GraphOptimization transform = new GraphOptimization();

    private TransformResult apply(ModelProto model, Object... options) {
        return transform.apply(model, TransformOptions.of(options), CalibrationData.none());
    }

    @Test
    void basicLevelFoldsBatchNormalizationAndKeepsStandardOperators() {
        ModelProto parent = TestModels.cnn();
        TransformResult r = apply(parent);
        assertThat(TestModels.count(r.model(), "BatchNormalization")).isZero();
        assertThat(r.model().getGraph().getNodeList()).allMatch(n -> n.getDomain().isEmpty());
        var images = TestModels.samples("image", new long[] {2, 3, 16, 16}, 2, 4);
        assertThat(TestModels.compare(parent, r.model(), images).maxAbsError()).isLessThan(1e-4);
    }

    @Test
    void extendedLevelMayUseOnnxRuntimeOperatorsAndSaysSo() {
        ModelProto parent = TestModels.cnn();
        TransformResult r = apply(parent, "level", "extended");
        assertThat(r.notes()).anyMatch(n -> n.contains("ONNX Runtime only"));
        var images = TestModels.samples("image", new long[] {2, 3, 16, 16}, 2, 4);
        assertThat(TestModels.compare(parent, r.model(), images).maxAbsError()).isLessThan(1e-4);
    }

    @Test
    void allLevelWarnsThatTheResultIsHardwareSpecific() {
        TransformResult r = apply(TestModels.mlp(), "level", "all");
        assertThat(r.notes()).anyMatch(n -> n.contains("specific to the CPU"));
    }

    @Test
    void rejectsUnknownLevel() {
        assertThatThrownBy(() -> apply(TestModels.mlp(), "level", "max"))
                .isInstanceOf(CompressionException.class).hasMessageContaining("level");
    }

    @Test
    void rejectsCustomOperator() {
        assertThatThrownBy(() -> apply(TestModels.withCustomOperator()))
                .isInstanceOf(CompressionException.class).hasMessageContaining("custom operators");
    }
}
