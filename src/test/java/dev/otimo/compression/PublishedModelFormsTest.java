package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.otimo.onnx.GraphBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Models as they are published: weights stored as FLOAT16 behind Casts, or already quantized. Every method
 * gives either a correct child or a refusal that says what to do; none silently skips the convolutions.
 */
class PublishedModelFormsTest {

    private static final long[] IMAGE = {4, 3, 16, 16};

    private final CalibrationData calibration = CalibrationData.of(TestModels.samples("image", IMAGE, 8, 1000));
    private final List<Map<String, TensorData>> heldOut = TestModels.samples("image", IMAGE, 8, 5000);

    private static long halfInitializers(ModelProto m) {
        return m.getGraph().getInitializerList().stream()
                .filter(t -> t.getDataType() == TensorProto.DataType.FLOAT16.getNumber()).count();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> operator(TransformResult r, String op) {
        return (Map<String, Object>) ((Map<String, Object>) r.extras().get("operators")).get(op);
    }

    @Test
    void fp32UpCastOfFp16CnnLeavesNoFloat16WeightNoCastAndTheSameOutputs() {
        ModelProto parent = TestModels.publishedCnn(true);
        assertThat(halfInitializers(parent)).isEqualTo(8);
        TransformResult r = TransformRegistry.standard().get("fp32").apply(parent, TransformOptions.empty(),
                CalibrationData.none());
        ModelProto child = r.model();
        assertThat(halfInitializers(child)).isZero();
        assertThat(TestModels.count(child, "Cast")).isZero();
        assertThat(child.getGraph().getInput(0).getType().getTensorType().getElemType())
                .isEqualTo(TensorProto.DataType.FLOAT.getNumber());
        assertThat(child.getGraph().getOutput(0).getName()).isEqualTo("logits");
        OutputComparison cmp = TestModels.compare(parent, child, heldOut);
        assertThat(cmp.maxAbsError()).isLessThan(1e-2);
        assertThat(r.extras()).containsEntry("convertedWeights", 8).containsEntry("removedCasts", 2);
    }

    @Test
    void fp32KeepsAFloat16GraphInputAndOutputBehindBoundaryCasts() {
        ModelProto parent = GraphBuilder.named("half_io").opset(13)
                .input("x", TensorProto.DataType.FLOAT16, -1, 4)
                .output("y", TensorProto.DataType.FLOAT16, -1, 4)
                .initializer("w", TensorProto.DataType.FLOAT16, new byte[] {0, 60, 0, 64, 0, 66, 0, 68}, 4)
                .node("Mul", List.of("x", "w"), List.of("y"))
                .build();
        ModelProto child = new Fp32UpCast().apply(parent, TransformOptions.empty(), CalibrationData.none()).model();
        assertThat(halfInitializers(child)).isZero();
        assertThat(child.getGraph().getInput(0).getType().getTensorType().getElemType())
                .isEqualTo(TensorProto.DataType.FLOAT16.getNumber());
        assertThat(child.getGraph().getOutput(0).getType().getTensorType().getElemType())
                .isEqualTo(TensorProto.DataType.FLOAT16.getNumber());
        assertThat(TestModels.count(child, "Cast")).isEqualTo(2);
        try (ScoringSession s = ScoringSession.open(child.toByteArray(), 1)) {
            assertThat(s.inputs()).containsKey("x");
        }
    }

    @Test
    void fp32RefusesAModelThatAlreadyComputesInFloat32() {
        assertThatThrownBy(() -> new Fp32UpCast().apply(TestModels.publishedCnn(false), TransformOptions.empty(),
                CalibrationData.none())).isInstanceOf(CompressionException.class).hasMessageContaining("no FLOAT16");
    }

    @Test
    void int8StaticOnFp16CnnUpCastsThenQuantizesEveryConvolution() {
        ModelProto parent = TestModels.publishedCnn(true);
        TransformResult r = new Int8StaticQuantization().apply(parent, TransformOptions.empty(), calibration);
        assertThat(operator(r, "Conv")).containsEntry("transformed", 3).containsEntry("skipped", 0);
        assertThat(r.extras()).containsKey("upCast");
        assertThat(r.notes()).anyMatch(n -> n.contains("FLOAT16"));
        assertThat(halfInitializers(r.model())).isZero();
        assertThat(TestModels.count(r.model(), "QuantizeLinear")).isPositive();
        assertThat(TestModels.compare(parent, r.model(), heldOut).meanCosine()).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void int8DynamicOnFp16CnnUpCastsThenQuantizesConvolutionsIntoConvInteger() {
        ModelProto parent = TestModels.publishedCnn(true);
        TransformResult r = new Int8DynamicQuantization().apply(parent, TransformOptions.empty(), CalibrationData.none());
        assertThat(operator(r, "Conv")).containsEntry("transformed", 3);
        assertThat(operator(r, "Gemm")).containsEntry("transformed", 1);
        assertThat(TestModels.count(r.model(), "ConvInteger")).isEqualTo(3);
        assertThat(TestModels.count(r.model(), "Conv")).isZero();
        assertThat(r.extras()).containsKey("upCast");
        assertThat(TestModels.compare(parent, r.model(), heldOut).meanCosine()).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void int8MethodsRefuseAGraphAlreadyQuantizedWithConvInteger() {
        ModelProto quantized = TestModels.quantizedCnn();
        assertThat(TestModels.count(quantized, "ConvInteger")).isEqualTo(3);
        for (Transform t : List.of(new Int8DynamicQuantization(), new Int8StaticQuantization())) {
            assertThatThrownBy(() -> t.checkModel(quantized, "version 1"))
                    .isInstanceOf(CompressionException.class)
                    .hasMessageContaining("ConvInteger=3").hasMessageContaining("DynamicQuantizeLinear=")
                    .hasMessageContaining("float parent version 1");
            assertThatThrownBy(() -> t.apply(quantized, TransformOptions.empty(), calibration))
                    .isInstanceOf(CompressionException.class).hasMessageContaining("already quantized");
        }
    }

    @Test
    void reportListsPerOperatorWhatWasSkippedAndWhy() {
        ModelProto parent = TestModels.publishedCnn(true);
        // GraphBuilder names nodes by op type and position: Cast_0, Conv_1, ..., the 1x1 Conv is Conv_6.
        TransformResult excluded = new Int8StaticQuantization().apply(parent,
                TransformOptions.of(Map.of("excludeNodes", List.of("Conv_6"))), calibration);
        assertThat(operator(excluded, "Conv")).containsEntry("transformed", 2).containsEntry("skipped", 1)
                .containsEntry("reasons", Map.of("excluded by excludeNodes", 1));
        assertThat(excluded.notes()).anyMatch(n -> n.contains("left in float: Conv") && n.contains("excludeNodes"));
        assertThat(operator(excluded, "Relu").get("reasons").toString()).contains("folded");

        TransformResult dynamic = new Int8DynamicQuantization().apply(parent,
                TransformOptions.of(Map.of("ops", List.of("Gemm"))), CalibrationData.none());
        assertThat(operator(dynamic, "Conv")).containsEntry("transformed", 0)
                .containsEntry("reasons", Map.of("not in the ops option", 3));
        assertThat(operator(dynamic, "MaxPool")).containsEntry("reasons",
                Map.of("operator not quantized by this method", 1));
    }

    /**
     * Every method of the registry on the FP16 CNN and on the already-quantized one: a child that
     * loads and stays close to its parent, or a {@link CompressionException} (a 400) that says why. No
     * method may hand back a child with nothing done to a model that had something to do.
     */
    @Test
    void everyMethodOnEachPublishedFormGivesACorrectChildOrARefusal() throws Exception {
        TransformRegistry registry = TransformRegistry.standard();
        Map<String, ModelProto> forms = Map.of("FLOAT16 weights", TestModels.publishedCnn(true),
                "already quantized", TestModels.quantizedCnn());
        List<String> outcomes = new java.util.ArrayList<>();
        for (Map.Entry<String, ModelProto> form : forms.entrySet()) {
            for (String method : registry.methods()) {
                ModelProto parent = form.getValue();
                TransformOptions options = method.equals("prune") ? TransformOptions.of("sparsity", 0.3) : TransformOptions.empty();
                try {
                    registry.get(method).checkModel(parent, null);
                    ModelProto child = registry.get(method).apply(parent, options, calibration).model();
                    OutputComparison cmp = TestModels.compare(parent, child, heldOut);
                    assertThat(cmp.meanCosine()).as("%s on the model with %s", method, form.getKey())
                            .isGreaterThan(method.equals("prune") ? 0.9 : 0.99);
                    outcomes.add(method + " on " + form.getKey() + ": child, cosine " + cmp.meanCosine());
                } catch (CompressionException refused) {
                    assertThat(refused.getMessage()).as("%s on the model with %s", method, form.getKey()).isNotBlank();
                    outcomes.add(method + " on " + form.getKey() + ": refused, " + refused.getMessage());
                }
            }
        }
        outcomes.forEach(System.out::println);
        // the int8 methods quantize the FLOAT16 model and refuse the quantized one
        assertThat(outcomes).anyMatch(o -> o.startsWith("int8-static on FLOAT16 weights: child"))
                .anyMatch(o -> o.startsWith("int8-dynamic on FLOAT16 weights: child"))
                .anyMatch(o -> o.startsWith("int8-static on already quantized: refused"))
                .anyMatch(o -> o.startsWith("int8-dynamic on already quantized: refused"));
        // pruning FLOAT16 weights is refused with what to send instead, and that works
        assertThat(outcomes).anyMatch(o -> o.startsWith("prune on FLOAT16 weights: refused") && o.contains("[fp32, prune]"));
        ModelProto pruned = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Recipe.of("fp32", TransformOptions.empty())
                .then("prune", TransformOptions.of("sparsity", 0.3))
                .apply(TestModels.publishedCnn(true).toByteArray(), calibration, registry).model());
        assertThat(TestModels.compare(TestModels.publishedCnn(true), pruned, heldOut).meanCosine()).isGreaterThan(0.9);
    }
}
