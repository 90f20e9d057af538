package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecipeTest {

    private final TransformRegistry registry = TransformRegistry.standard();

    @Test
    void registryKnowsTheSixMethods() {
        assertThat(registry.methods()).containsExactly("fp16", "fp32", "int8-dynamic", "int8-static", "optimize", "prune");
    }

    @Test
    void pruneThenInt8DynamicChainsBothAndReportsEach() {
        byte[] parent = TestModels.mlp().toByteArray();
        Recipe recipe = Recipe.of("prune", TransformOptions.of("sparsity", 0.3))
                .then("int8-dynamic", TransformOptions.empty());
        Recipe.Result r = recipe.apply(parent, CalibrationData.none(), registry);
        ModelProto child = OnnxModels.parse(r.model());
        assertThat(TestModels.count(child, "DynamicQuantizeMatMul")).isEqualTo(3);
        assertThat(r.extras()).containsKeys("prune", "int8-dynamic");
        assertThat(r.notes()).anyMatch(n -> n.startsWith("prune: ")).anyMatch(n -> n.startsWith("int8-dynamic: "));
        var inputs = TestModels.samples("input", new long[] {8, 64}, 2, 3);
        // 30% of random (untrained) weights removed, then int8: close, though not as close as int8 alone.
        assertThat(TestModels.compare(TestModels.mlp(), child, inputs).meanCosine()).isGreaterThanOrEqualTo(0.95);
        assertThat(recipe.describe()).isEqualTo("prune{sparsity=0.3} -> int8-dynamic{}");
    }

    @Test
    void rejectsUnknownMethodBeforeDoingAnyWork() {
        Recipe recipe = Recipe.of("prune", TransformOptions.of("sparsity", 0.3)).then("int4", TransformOptions.empty());
        assertThatThrownBy(() -> recipe.apply(TestModels.mlp().toByteArray(), CalibrationData.none(), registry))
                .isInstanceOf(CompressionException.class)
                .hasMessageContaining("unknown compression method 'int4'").hasMessageContaining("int8-dynamic");
    }

    @Test
    void rejectsCorruptModel() {
        Recipe recipe = Recipe.of("int8-dynamic", Map.of());
        assertThatThrownBy(() -> recipe.apply(TestModels.corruptBytes(), CalibrationData.none(), registry))
                .isInstanceOf(CompressionException.class).hasMessageContaining("model");
    }

    @Test
    void rejectsEmptyModel() {
        Recipe recipe = Recipe.of("fp16", Map.of());
        assertThatThrownBy(() -> recipe.apply(new byte[0], CalibrationData.none(), registry))
                .isInstanceOf(CompressionException.class).hasMessageContaining("empty");
    }

    @Test
    void rejectsStaticQuantizationWithoutCalibration() {
        Recipe recipe = Recipe.of("int8-static", Map.of());
        assertThatThrownBy(() -> recipe.apply(TestModels.cnn().toByteArray(), null, registry))
                .isInstanceOf(CompressionException.class).hasMessageContaining("calibration data");
    }

    @Test
    void everyMethodRejectsACustomOperator() {
        byte[] model = TestModels.withCustomOperator().toByteArray();
        CalibrationData data = CalibrationData.of(TestModels.samples("input", new long[] {2, 64}, 1, 1));
        for (String method : registry.methods()) {
            assertThatThrownBy(() -> Recipe.of(method, Map.of()).apply(model, data, registry)).as(method)
                    .isInstanceOf(CompressionException.class).hasMessageContaining("com.example:FancyGelu");
        }
    }
}
