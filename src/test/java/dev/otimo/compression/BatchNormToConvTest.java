package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.otimo.onnx.GraphBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class BatchNormToConvTest {

    private static ModelProto batchNorm(long... inputShape) {
        SplittableRandom r = new SplittableRandom(4);
        return GraphBuilder.named("bn").opset(13)
                .input("x", TensorProto.DataType.FLOAT, inputShape)
                .output("y", TensorProto.DataType.FLOAT, inputShape)
                .initializer("scale", TestModels.uniform(r, 6, 0.5, 2.0), 6)
                .initializer("bias", TestModels.gaussian(r, 6, 0.5), 6)
                .initializer("mean", TestModels.gaussian(r, 6, 0.5), 6)
                .initializer("var", TestModels.uniform(r, 6, 0.1, 3.0), 6)
                .node("BatchNormalization", List.of("x", "scale", "bias", "mean", "var"), List.of("y"),
                        GraphBuilder.attr("epsilon", 1e-3f))
                .build();
    }

    @Test
    void depthwiseConvComputesTheSameValuesAsTheBatchNormalization() {
        ModelProto parent = batchNorm(-1, 6, 5, 7);
        GraphEditor g = GraphEditor.of(parent);
        assertThat(BatchNormToConv.candidateInputs(g)).containsExactly("x");
        assertThat(BatchNormToConv.apply(g, Map.of("x", 4), Set.of())).isEqualTo(1);
        ModelProto child = g.build();
        assertThat(TestModels.count(child, "BatchNormalization")).isZero();
        assertThat(child.getGraph().getNode(0).getOpType()).isEqualTo("Conv");
        OutputComparison cmp = TestModels.compare(parent, child, TestModels.samples("x", new long[] {2, 6, 5, 7}, 3, 9));
        assertThat(cmp.maxAbsError()).isLessThan(1e-5);
    }

    @Test
    void worksOnOneDimensionalFeatureMaps() {
        ModelProto parent = batchNorm(-1, 6, 11);
        GraphEditor g = GraphEditor.of(parent);
        assertThat(BatchNormToConv.apply(g, Map.of("x", 3), Set.of())).isEqualTo(1);
        OutputComparison cmp = TestModels.compare(parent, g.build(), TestModels.samples("x", new long[] {2, 6, 11}, 3, 9));
        assertThat(cmp.maxAbsError()).isLessThan(1e-5);
    }

    @Test
    void leavesRankTwoInputsExcludedNodesAndUnknownRanksAlone() {
        GraphEditor flat = GraphEditor.of(batchNorm(-1, 6));
        assertThat(BatchNormToConv.apply(flat, Map.of("x", 2), Set.of())).isZero();
        GraphEditor excluded = GraphEditor.of(batchNorm(-1, 6, 5, 7));
        String name = excluded.nodes.get(0).getName();
        assertThat(BatchNormToConv.apply(excluded, Map.of("x", 4), Set.of(name))).isZero();
        assertThat(BatchNormToConv.apply(GraphEditor.of(batchNorm(-1, 6, 5, 7)), Map.of(), Set.of())).isZero();
    }

    @Test
    void leavesBatchNormalizationWithComputedParametersAlone() {
        ModelProto computed = batchNorm(-1, 6, 5, 7).toBuilder()
                .setGraph(batchNorm(-1, 6, 5, 7).getGraph().toBuilder().removeInitializer(0)
                        .addInput(ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName("scale")))
                .build();
        assertThat(BatchNormToConv.candidateInputs(GraphEditor.of(computed))).isEmpty();
    }
}
