package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Fp16ConversionTest {

    private final Fp16Conversion transform = new Fp16Conversion();
    private final List<Map<String, TensorData>> inputs = TestModels.samples("input", new long[] {16, 64}, 3, 40);

    private ModelProto apply(ModelProto model, Object... options) {
        return transform.apply(model, TransformOptions.of(options), CalibrationData.none()).model();
    }

    @Test
    void fp16KeepsCosineAbove09999OnMlpAndLoadsOnCpu() {
        ModelProto parent = TestModels.mlp();
        OutputComparison cmp = TestModels.compare(parent, apply(parent), inputs);
        assertThat(cmp.meanCosine()).isGreaterThanOrEqualTo(0.9999);
        assertThat(cmp.top1Agreement()).isEqualTo(1.0);
    }

    @Test
    void storesWeightsAsFloat16AtHalfTheSize() {
        ModelProto parent = TestModels.mlp();
        ModelProto child = apply(parent);
        assertThat(child.getGraph().getInitializerList())
                .allMatch(t -> t.getDataType() == TensorProto.DataType.FLOAT16.getNumber());
        assertThat((double) child.getSerializedSize() / parent.getSerializedSize()).isBetween(0.45, 0.55);
    }

    @Test
    void keepsFloat32InputsAndOutputsWithCastsAtTheEdges() {
        ModelProto child = apply(TestModels.mlp());
        assertThat(child.getGraph().getInput(0).getType().getTensorType().getElemType()).isEqualTo(1);
        assertThat(child.getGraph().getOutput(0).getType().getTensorType().getElemType()).isEqualTo(1);
        NodeProto last = child.getGraph().getNodeList().stream()
                .filter(n -> n.getOutputList().contains("output")).findFirst().orElseThrow();
        assertThat(last.getOpType()).isEqualTo("Cast");
        NodeProto first = child.getGraph().getNodeList().stream()
                .filter(n -> n.getInputList().contains("input")).findFirst().orElseThrow();
        assertThat(first.getOpType()).isEqualTo("Cast");
    }

    @Test
    void blockedOperatorsComputeInFloat32BetweenCasts() {
        ModelProto parent = TestModels.cnn();
        ModelProto child = apply(parent, "extraBlockOps", List.of("Conv"));
        NodeProto conv = child.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv"))
                .findFirst().orElseThrow();
        // The weight of a blocked Conv stays float32.
        TensorProto w = child.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals(conv.getInput(1))).findFirst().orElseThrow();
        assertThat(w.getDataType()).isEqualTo(TensorProto.DataType.FLOAT.getNumber());
        List<Map<String, TensorData>> images = TestModels.samples("image", new long[] {4, 3, 16, 16}, 2, 3);
        assertThat(TestModels.compare(parent, child, images).meanCosine()).isGreaterThanOrEqualTo(0.999);
        // Softmax is on the default block list.
        NodeProto softmax = child.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Softmax"))
                .findFirst().orElseThrow();
        NodeProto feed = child.getGraph().getNodeList().stream()
                .filter(n -> n.getOutputList().contains(softmax.getInput(0))).findFirst().orElseThrow();
        assertThat(feed.getOpType()).isEqualTo("Cast");
    }

    @Test
    void rejectsCustomOperator() {
        assertThatThrownBy(() -> apply(TestModels.withCustomOperator()))
                .isInstanceOf(CompressionException.class).hasMessageContaining("com.example:FancyGelu");
    }

    @Test
    void rejectsBlockListThatIsNotAList() {
        assertThatThrownBy(() -> apply(TestModels.mlp(), "blockOps", 3))
                .isInstanceOf(CompressionException.class).hasMessageContaining("blockOps");
    }
}
