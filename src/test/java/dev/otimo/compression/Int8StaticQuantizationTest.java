package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Int8StaticQuantizationTest {

    private static final long[] IMAGE = {4, 3, 16, 16};

    private final Int8StaticQuantization transform = new Int8StaticQuantization();
    private final CalibrationData calibration = CalibrationData.of(TestModels.samples("image", IMAGE, 8, 1000));
    private final List<Map<String, TensorData>> heldOut = TestModels.samples("image", IMAGE, 8, 5000);

    private TransformResult apply(ModelProto model, Object... options) {
        return transform.apply(model, TransformOptions.of(options), calibration);
    }

    @Test
    void int8StaticKeepsCosineAbove099AndTop1Above90PercentOnCnn() {
        ModelProto parent = TestModels.cnn();
        OutputComparison cmp = TestModels.compare(parent, apply(parent).model(), heldOut);
        assertThat(cmp.meanCosine()).isGreaterThanOrEqualTo(0.99);
        assertThat(cmp.top1Agreement()).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    void reducedWeightRangeStaysCloseWithSevenBitWeights() {
        ModelProto parent = TestModels.cnn();
        TransformResult reduced = apply(parent, "weightRange", "reduced");
        assertThat(reduced.extras()).containsEntry("weightRange", "reduced");
        assertThat(TestModels.maxAbsInt8Weight(reduced.model())).isEqualTo(63);
        assertThat(TestModels.maxAbsInt8Weight(apply(parent, "weightRange", "full").model())).isEqualTo(127);
        OutputComparison cmp = TestModels.compare(parent, reduced.model(), heldOut);
        assertThat(cmp.meanCosine()).isGreaterThanOrEqualTo(0.99);
        assertThat(cmp.top1Agreement()).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    void preActivationBatchNormsBecomeQuantizedDepthwiseConvsAndStayClose() {
        ModelProto parent = TestModels.denseBlock();
        ModelProto child = apply(parent).model();
        assertThat(TestModels.count(child, "BatchNormalization")).isZero();
        assertThat(child.getGraph().getNodeList()).filteredOn(n -> n.getOpType().equals("Conv")).hasSize(8)
                .filteredOn(n -> n.getAttributeList().stream().anyMatch(a -> a.getName().equals("group")))
                .hasSize(4);
        OutputComparison cmp = TestModels.compare(parent, child, heldOut);
        assertThat(cmp.meanCosine()).isGreaterThanOrEqualTo(0.99);
        assertThat(cmp.top1Agreement()).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    void onnxRuntimeRunsThePreActivationBlockWithoutLeavingTheIntegerDomain() {
        Map<String, Integer> loaded = LoadedGraph.opCounts(apply(TestModels.denseBlock()).model().toByteArray(),
                OptLevel.EXTENDED_OPT);
        assertThat(loaded).containsEntry("QLinearConv", 8).containsEntry("com.microsoft:QLinearConcat", 3)
                .doesNotContainKeys("BatchNormalization", "Conv", "Concat", "Relu");
        // the MaxPool after the first Relu runs on uint8 (its input and output share parameters)
        assertThat(loaded.getOrDefault("DequantizeLinear", 0)).isZero();
        assertThat(loaded.getOrDefault("QuantizeLinear", 0)).isEqualTo(1);
    }

    /** x0, a pooled Relu output, keeps its own range (see the next test); the other inputs share the Concat's. */
    @Test
    void concatInputsShareTheQuantizationParametersOfItsOutput() {
        ModelProto child = apply(TestModels.denseBlock()).model();
        Map<String, NodeProto> producers = new HashMap<>();
        child.getGraph().getNodeList().forEach(n -> n.getOutputList().forEach(o -> producers.put(o, n)));
        Map<String, TensorProto> constants = new HashMap<>();
        child.getGraph().getInitializerList().forEach(t -> constants.put(t.getName(), t));
        List<NodeProto> concats = child.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("Concat")).toList();
        assertThat(concats).hasSize(3);
        for (NodeProto concat : concats) {
            NodeProto quantize = child.getGraph().getNodeList().stream()
                    .filter(n -> n.getOpType().equals("QuantizeLinear") && n.getInput(0).equals(concat.getOutput(0)))
                    .findFirst().orElseThrow();
            float outputScale = Tensors.floats(constants.get(quantize.getInput(1)))[0];
            for (String in : concat.getInputList().stream().filter(i -> !i.startsWith("x0")).toList()) {
                NodeProto dequantize = producers.get(in);
                assertThat(dequantize.getOpType()).isEqualTo("DequantizeLinear");
                assertThat(Tensors.floats(constants.get(dequantize.getInput(1)))[0]).as(in).isEqualTo(outputScale);
            }
        }
    }

    @Test
    void foldedReluKeepsItsZeroLowerBoundInsideASharedConcatGroup() {
        ModelProto child = apply(TestModels.denseBlock()).model();
        Map<String, TensorProto> constants = new HashMap<>();
        child.getGraph().getInitializerList().forEach(t -> constants.put(t.getName(), t));
        Map<String, Integer> zeroPoints = new HashMap<>();
        for (NodeProto n : child.getGraph().getNodeList()) {
            if (n.getOpType().equals("QuantizeLinear")) {
                zeroPoints.put(n.getOutput(0), constants.get(n.getInput(2)).getRawData().byteAt(0) & 0xff);
            }
        }
        String reluOutput = child.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("QuantizeLinear") && n.getInput(0).startsWith("x0"))
                .findFirst().orElseThrow().getOutput(0);
        String lastConcat = child.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("QuantizeLinear") && n.getInput(0).startsWith("l3_cat"))
                .findFirst().orElseThrow().getOutput(0);
        assertThat(zeroPoints.get(reluOutput)).as("x0 is a pooled Relu output: its range starts at 0").isZero();
        assertThat(zeroPoints.get(lastConcat)).as("the concatenation holds negative Conv outputs").isPositive();
    }

    @Test
    void equalizesChannelsWithPerChannelWeightsByDefaultAndCanBeToldNotTo() {
        assertThat(apply(TestModels.denseBlock()).extras().get("equalizedConvs")).isEqualTo(7);
        TransformResult plain = apply(TestModels.denseBlock(), "equalizeChannels", false);
        assertThat(plain.extras()).containsEntry("equalizedConvs", 0);
        assertThat(apply(TestModels.denseBlock(), "perChannel", false).extras()).containsEntry("equalizedConvs", 0);
        assertThat(TestModels.compare(TestModels.denseBlock(), plain.model(), heldOut).meanCosine())
                .isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void rejectsEqualizeChannelsThatIsNotABoolean() {
        assertThatThrownBy(() -> apply(TestModels.cnn(), "equalizeChannels", "sometimes"))
                .isInstanceOf(CompressionException.class).hasMessageContaining("equalizeChannels");
    }

    @Test
    void rejectsUnknownWeightRange() {
        assertThatThrownBy(() -> apply(TestModels.cnn(), "weightRange", "tiny"))
                .isInstanceOf(CompressionException.class).hasMessageContaining("weightRange");
    }

    @Test
    void onnxRuntimeRunsTheQuantizedCnnOnIntegerKernels() {
        byte[] child = apply(TestModels.cnn()).model().toByteArray();
        Map<String, Integer> loaded = LoadedGraph.opCounts(child, OptLevel.EXTENDED_OPT);
        assertThat(loaded).containsKey("QLinearConv");
        assertThat(loaded.get("QLinearConv")).isEqualTo(4);
        assertThat(loaded).doesNotContainKey("Conv");
        assertThat(LoadedGraph.integerKernelCount(loaded)).isGreaterThanOrEqualTo(6);
    }

    @Test
    void insertsQdqPairsAndFoldsBatchNormReluAndClip() {
        ModelProto child = apply(TestModels.cnn()).model();
        assertThat(TestModels.count(child, "QuantizeLinear")).isGreaterThan(0);
        assertThat(TestModels.count(child, "DequantizeLinear")).isGreaterThan(TestModels.count(child, "QuantizeLinear"));
        assertThat(TestModels.count(child, "BatchNormalization")).isZero();
        assertThat(TestModels.count(child, "Relu")).isZero();
        assertThat(TestModels.count(child, "Clip")).isZero();
        assertThat(child.getGraph().getInitializerList())
                .noneMatch(t -> t.getDataType() == 1 && t.getDimsCount() == 4);
    }

    @Test
    void percentileCalibrationAlsoStaysClose() {
        ModelProto parent = TestModels.cnn();
        ModelProto child = apply(parent, "calibrationMethod", "percentile", "percentile", 99.99).model();
        assertThat(TestModels.compare(parent, child, heldOut).meanCosine()).isGreaterThanOrEqualTo(0.98);
    }

    @Test
    void quantizesMlpMatMulsIntoIntegerKernels() {
        ModelProto parent = TestModels.mlp();
        CalibrationData data = CalibrationData.of(TestModels.samples("input", new long[] {8, 64}, 8, 1));
        ModelProto child = transform.apply(parent, TransformOptions.empty(), data).model();
        assertThat(TestModels.compare(parent, child, TestModels.samples("input", new long[] {8, 64}, 4, 77))
                .meanCosine()).isGreaterThanOrEqualTo(0.99);
        Map<String, Integer> loaded = LoadedGraph.opCounts(child.toByteArray(), OptLevel.EXTENDED_OPT);
        assertThat(LoadedGraph.integerKernelCount(loaded)).isGreaterThanOrEqualTo(3);
        assertThat(loaded).doesNotContainKey("MatMul");
    }

    @Test
    void upgradesOldOpsetModelsToOpset13() {
        ModelProto old = TestModels.mlp().toBuilder().clearOpsetImport()
                .addOpsetImport(ai.onnx.proto.OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(9))
                .build();
        CalibrationData data = CalibrationData.of(TestModels.samples("input", new long[] {8, 64}, 4, 1));
        ModelProto child = transform.apply(old, TransformOptions.empty(), data).model();
        assertThat(OnnxModels.opset(child, "")).isEqualTo(13);
        assertThat(TestModels.compare(old, child, TestModels.samples("input", new long[] {8, 64}, 2, 9))
                .meanCosine()).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void rejectsMissingCalibrationData() {
        assertThatThrownBy(() -> transform.apply(TestModels.cnn(), TransformOptions.empty(), CalibrationData.none()))
                .isInstanceOf(CompressionException.class).hasMessageContaining("calibration data");
    }

    @Test
    void rejectsUnknownCalibrationMethod() {
        assertThatThrownBy(() -> apply(TestModels.cnn(), "calibrationMethod", "magic"))
                .isInstanceOf(CompressionException.class).hasMessageContaining("calibrationMethod");
    }

    @Test
    void rejectsOperatorItCannotQuantize() {
        assertThatThrownBy(() -> apply(TestModels.cnn(), "ops", List.of("Conv", "LSTM")))
                .isInstanceOf(CompressionException.class).hasMessageContaining("LSTM");
    }

    @Test
    void rejectsCalibrationSamplesThatDoNotFitTheModel() {
        CalibrationData wrong = CalibrationData.of(TestModels.samples("image", new long[] {1, 5, 16, 16}, 2, 1));
        assertThatThrownBy(() -> transform.apply(TestModels.cnn(), TransformOptions.empty(), wrong))
                .isInstanceOf(CompressionException.class).hasMessageContaining("calibration samples");
    }

    @Test
    void rejectsCustomOperator() {
        CalibrationData data = CalibrationData.of(TestModels.samples("input", new long[] {8, 64}, 2, 1));
        assertThatThrownBy(() -> transform.apply(TestModels.withCustomOperator(), TransformOptions.empty(), data))
                .isInstanceOf(CompressionException.class).hasMessageContaining("com.example:FancyGelu");
    }
}
