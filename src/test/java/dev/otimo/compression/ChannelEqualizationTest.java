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

class ChannelEqualizationTest {

    private static final long[] IMAGE = {2, 3, 8, 8};
    private final CalibrationData calibration = CalibrationData.of(TestModels.samples("image", IMAGE, 4, 77));

    /**
     * Two Convs whose channels differ in scale by up to 100×, joined by a Concat and read by a grouped Conv
     * (through Relu and MaxPool) and a plain Conv; {@code tail} is the node that reads the second plain Conv.
     */
    private static ModelProto model(String tail) {
        SplittableRandom r = new SplittableRandom(8);
        float[] k1 = TestModels.gaussian(r, 4 * 3 * 9, 0.3);
        for (int i = 0; i < 27; i++) {
            k1[i] *= 100;
        }
        GraphBuilder g = GraphBuilder.named("eq").opset(13)
                .input("image", TensorProto.DataType.FLOAT, -1, 3, 8, 8)
                .output("out", TensorProto.DataType.FLOAT, -1, 2, 4, 4)
                .initializer("k1", k1, 4, 3, 3, 3)
                .initializer("b1", TestModels.gaussian(r, 4, 0.5), 4)
                .initializer("k2", TestModels.gaussian(r, 2 * 3 * 9, 0.01), 2, 3, 3, 3)
                .initializer("k3", TestModels.gaussian(r, 6 * 2 * 9, 0.3), 6, 2, 3, 3)
                .initializer("k4", TestModels.gaussian(r, 2 * 6, 0.3), 2, 6, 1, 1)
                .node("Conv", List.of("image", "k1", "b1"), List.of("a"), GraphBuilder.attr("pads", new long[] {1, 1, 1, 1}))
                .node("Conv", List.of("image", "k2"), List.of("b"), GraphBuilder.attr("pads", new long[] {1, 1, 1, 1}))
                .node("Relu", List.of("a"), List.of("ra"))
                .node("Concat", List.of("ra", "b"), List.of("cat"), GraphBuilder.attr("axis", 1L))
                .node("MaxPool", List.of("cat"), List.of("pool"), GraphBuilder.attr("kernel_shape", new long[] {2, 2}),
                        GraphBuilder.attr("strides", new long[] {2, 2}))
                .node("Conv", List.of("pool", "k3"), List.of("grouped"), GraphBuilder.attr("group", 3L),
                        GraphBuilder.attr("pads", new long[] {1, 1, 1, 1}));
        if (tail.equals("Conv")) {
            g.node("Conv", List.of("grouped", "k4"), List.of("out"));
        } else {
            g.node("Sigmoid", List.of("grouped"), List.of("s"))
                    .node("Conv", List.of("s", "k4"), List.of("out"));
        }
        return g.build();
    }

    @Test
    void equalizedChannelsAllReachOneAndTheModelComputesTheSame() {
        ModelProto parent = model("Conv");
        GraphEditor g = GraphEditor.of(parent);
        assertThat(ChannelEqualization.apply(g, calibration)).isEqualTo(3);
        ModelProto child = g.build();
        Map<String, float[]> channels = ActivationCalibrator.channelMaxAbs(child, Set.of("a", "b", "grouped"), calibration);
        for (String tensor : List.of("a", "b", "grouped")) {
            for (float max : channels.get(tensor)) {
                assertThat(max).as(tensor).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
        OutputComparison cmp = TestModels.compare(parent, child, TestModels.samples("image", IMAGE, 3, 5));
        assertThat(cmp.meanCosine()).isGreaterThan(0.99999);
    }

    @Test
    void leavesAConvAloneWhenItsChannelsReachAnOperatorThatIsNotScaleFree() {
        GraphEditor g = GraphEditor.of(model("Sigmoid"));
        // a and b reach the grouped Conv, which compensates; the grouped Conv's own output reaches a Sigmoid.
        assertThat(ChannelEqualization.apply(g, calibration)).isEqualTo(2);
        assertThat(g.initializer("k3").getRawData()).isNotEqualTo(GraphEditor.of(model("Sigmoid")).initializer("k3")
                .getRawData());
    }

    @Test
    void leavesAConvWhoseOutputIsAGraphOutputAlone() {
        ModelProto single = GraphBuilder.named("one").opset(13)
                .input("image", TensorProto.DataType.FLOAT, -1, 3, 8, 8)
                .output("out", TensorProto.DataType.FLOAT, -1, 4, 8, 8)
                .initializer("k", TestModels.gaussian(new SplittableRandom(1), 4 * 27, 0.3), 4, 3, 3, 3)
                .node("Conv", List.of("image", "k"), List.of("out"), GraphBuilder.attr("pads", new long[] {1, 1, 1, 1}))
                .build();
        assertThat(ChannelEqualization.apply(GraphEditor.of(single), calibration)).isZero();
    }
}
