package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Int8DynamicQuantizationTest {

    private final Int8DynamicQuantization transform = new Int8DynamicQuantization();
    private final List<Map<String, TensorData>> inputs = TestModels.samples("input", new long[] {16, 64}, 4, 100);

    private ModelProto apply(ModelProto model, Object... options) {
        return transform.apply(model, TransformOptions.of(options), CalibrationData.none()).model();
    }

    @Test
    void int8DynamicKeepsCosineAbove0999OnMlp() {
        ModelProto parent = TestModels.mlp();
        OutputComparison cmp = TestModels.compare(parent, apply(parent), inputs);
        assertThat(cmp.meanCosine()).isGreaterThanOrEqualTo(0.999);
        assertThat(cmp.top1Agreement()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void fusedKernelReplacesEachMatMulAndBiasAddWithOneDynamicQuantizeMatMul() {
        ModelProto child = apply(TestModels.mlp());
        assertThat(TestModels.count(child, "DynamicQuantizeMatMul")).isEqualTo(3);
        assertThat(TestModels.count(child, "MatMul")).isZero();
        assertThat(TestModels.count(child, "Add")).isZero();
        assertThat(child.getOpsetImportList()).anyMatch(o -> o.getDomain().equals("com.microsoft"));
    }

    @Test
    void integerKernelUsesOnlyStandardOperatorsAndKeepsCosineAbove0999() {
        ModelProto parent = TestModels.mlp();
        ModelProto child = apply(parent, "kernel", "integer");
        assertThat(TestModels.count(child, "MatMulInteger")).isEqualTo(3);
        assertThat(TestModels.count(child, "DynamicQuantizeLinear")).isEqualTo(3);
        assertThat(TestModels.count(child, "MatMul")).isZero();
        assertThat(child.getGraph().getNodeList()).allMatch(n -> n.getDomain().isEmpty());
        assertThat(TestModels.compare(parent, child, inputs).meanCosine()).isGreaterThanOrEqualTo(0.999);
    }

    @Test
    void storesWeightsAsInt8AtAboutAQuarterOfTheSize() {
        ModelProto parent = TestModels.mlp();
        ModelProto child = apply(parent);
        assertThat(child.getGraph().getInitializerList())
                .noneMatch(t -> t.getDataType() == TensorProto.DataType.FLOAT.getNumber() && t.getDimsCount() == 2);
        assertThat((double) child.getSerializedSize() / parent.getSerializedSize()).isLessThan(0.27);
    }

    @Test
    void perChannelWritesOneScalePerOutputColumnAndStaysClose() {
        ModelProto parent = TestModels.mlp();
        ModelProto child = apply(parent, "perChannel", true);
        assertThat(child.getGraph().getInitializerList())
                .anyMatch(t -> t.getName().startsWith("w0_scale") && t.getDims(0) == 128);
        assertThat(TestModels.compare(parent, child, inputs).meanCosine()).isGreaterThanOrEqualTo(0.999);
    }

    @Test
    void quantizesGemmWithTransposedWeightsAlphaBetaAndBias() {
        ModelProto parent = TestModels.gemm();
        List<Map<String, TensorData>> x = TestModels.samples("x", new long[] {8, 32}, 3, 5);
        for (String kernel : List.of("fused", "integer")) {
            ModelProto child = apply(parent, "kernel", kernel);
            assertThat(TestModels.count(child, "Gemm")).as(kernel).isZero();
            assertThat(TestModels.compare(parent, child, x).meanCosine()).as(kernel).isGreaterThanOrEqualTo(0.999);
        }
    }

    @Test
    void reducedWeightRangeKeepsWeightsWithin63AndFullRangeReaches127() {
        ModelProto parent = TestModels.mlp();
        assertThat(TestModels.maxAbsInt8Weight(apply(parent, "weightRange", "reduced"))).isEqualTo(63);
        assertThat(TestModels.maxAbsInt8Weight(apply(parent, "weightRange", "full"))).isEqualTo(127);
        assertThat(TestModels.compare(parent, apply(parent, "weightRange", "reduced"), inputs).meanCosine())
                .isGreaterThanOrEqualTo(0.999);
    }

    @Test
    void autoWeightRangeFollowsTheHostCpuAndSaysWhy() {
        TransformResult result = transform.apply(TestModels.mlp(), TransformOptions.empty(), CalibrationData.none());
        boolean dot = dev.otimo.runtime.CpuFeatures.host().int8DotProduct();
        assertThat(result.extras()).containsEntry("weightRange", dot ? "full" : "reduced");
        assertThat(TestModels.maxAbsInt8Weight(result.model())).isEqualTo(dot ? 127 : 63);
        assertThat(result.notes()).anyMatch(n -> n.startsWith(dot ? "weights 8-bit" : "weights 7-bit"));
    }

    @Test
    void rejectsUnknownWeightRange() {
        assertThatThrownBy(() -> apply(TestModels.mlp(), "weightRange", "6bit"))
                .isInstanceOf(CompressionException.class).hasMessageContaining("weightRange");
    }

    @Test
    void rejectsUnknownKernel() {
        assertThatThrownBy(() -> apply(TestModels.mlp(), "kernel", "simd"))
                .isInstanceOf(CompressionException.class).hasMessageContaining("kernel");
    }

    @Test
    void rejectsUnknownOption() {
        assertThatThrownBy(() -> apply(TestModels.mlp(), "perchannel", true))
                .isInstanceOf(CompressionException.class).hasMessageContaining("perchannel");
    }

    @Test
    void rejectsModelWithoutQuantizableLayersAndSaysWhatWasLeft() {
        assertThatThrownBy(() -> apply(TestModels.convOnly(), "ops", List.of("MatMul", "Gemm")))
                .isInstanceOf(CompressionException.class).hasMessageContaining("nothing to quantize")
                .hasMessageContaining("Conv {not in the ops option=1}");
    }

    @Test
    void quantizesAConvIntoConvIntegerPerOutputChannel() {
        ModelProto parent = TestModels.convOnly();
        ModelProto child = apply(parent);
        assertThat(TestModels.count(child, "ConvInteger")).isEqualTo(1);
        assertThat(TestModels.count(child, "DynamicQuantizeLinear")).isEqualTo(1);
        assertThat(TestModels.compare(parent, child,
                TestModels.samples("image", new long[] {2, 3, 8, 8}, 4, 77)).meanCosine()).isGreaterThan(0.99);
    }

    @Test
    void rejectsCustomOperator() {
        assertThatThrownBy(() -> apply(TestModels.withCustomOperator()))
                .isInstanceOf(CompressionException.class).hasMessageContaining("com.example:FancyGelu");
    }
}
