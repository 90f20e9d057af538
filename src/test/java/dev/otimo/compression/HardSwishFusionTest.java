package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.otimo.onnx.GraphBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HardSwishFusionTest {

    /** x -> Add(3) -> Clip(0, 6) -> Mul(x) -> Div(6), then the same with Div before Mul. */
    private static ModelProto spelledOut() {
        return GraphBuilder.named("hswish").opset(13)
                .input("x", TensorProto.DataType.FLOAT, -1, 8)
                .output("y", TensorProto.DataType.FLOAT, -1, 8)
                .initializer("three", new float[] {3f})
                .initializer("zero", new float[] {0f})
                .initializer("six", new float[] {6f})
                .node("Add", List.of("x", "three"), List.of("a"))
                .node("Clip", List.of("a", "zero", "six"), List.of("c"))
                .node("Mul", List.of("x", "c"), List.of("m"))
                .node("Div", List.of("m", "six"), List.of("h"))
                .node("Add", List.of("three", "h"), List.of("a2"))
                .node("Clip", List.of("a2", "zero", "six"), List.of("c2"))
                .node("Div", List.of("c2", "six"), List.of("d2"))
                .node("Mul", List.of("d2", "h"), List.of("y"))
                .build();
    }

    @Test
    void replacesBothSpellingsOfHardSwishAndKeepsTheValues() {
        ModelProto parent = spelledOut();
        GraphEditor g = GraphEditor.of(parent);
        assertThat(HardSwishFusion.apply(g)).isEqualTo(2);
        g.setOpset("", 14);
        ModelProto fused = g.build();
        assertThat(TestModels.count(fused, "HardSwish")).isEqualTo(2);
        assertThat(fused.getGraph().getNodeCount()).isEqualTo(2);
        var inputs = TestModels.samples("x", new long[] {64, 8}, 2, 3);
        assertThat(TestModels.compare(parent, fused, inputs).maxAbsError()).isLessThan(1e-5);
    }

    @Test
    void leavesOtherConstantsAlone() {
        ModelProto notHardSwish = GraphBuilder.named("other").opset(13)
                .input("x", TensorProto.DataType.FLOAT, -1, 8)
                .output("y", TensorProto.DataType.FLOAT, -1, 8)
                .initializer("two", new float[] {2f})
                .initializer("zero", new float[] {0f})
                .initializer("six", new float[] {6f})
                .node("Add", List.of("x", "two"), List.of("a"))
                .node("Clip", List.of("a", "zero", "six"), List.of("c"))
                .node("Mul", List.of("x", "c"), List.of("m"))
                .node("Div", List.of("m", "six"), List.of("y"))
                .build();
        assertThat(HardSwishFusion.apply(GraphEditor.of(notHardSwish))).isZero();
    }
}
