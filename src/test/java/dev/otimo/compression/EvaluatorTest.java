package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.otimo.onnx.GraphBuilder;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EvaluatorTest {

    private final Evaluator evaluator = new Evaluator(new Evaluator.Settings(1, Duration.ofMillis(100), 3, 64, 1));
    private final TransformRegistry registry = TransformRegistry.standard();

    private Recipe.Result int8(ModelProto parent) {
        return Recipe.of("int8-dynamic", Map.of()).apply(parent.toByteArray(), CalibrationData.none(), registry);
    }

    @Test
    void reportsSizesSpeedsAndFidelityOnRandomInputsWhenThereAreNoSamples() {
        byte[] parent = TestModels.mlp().toByteArray();
        CompressionReport r = evaluator.evaluate(parent, int8(TestModels.mlp()), CalibrationData.none());
        assertThat(r.parent().sizeBytes()).isEqualTo(parent.length);
        assertThat(r.child().sizeBytes()).isLessThan(parent.length / 3);
        assertThat(r.parent().loadMillis()).isPositive();
        assertThat(r.child().batch1().rowsPerSecond()).isPositive();
        assertThat(r.child().batch32().rowsPerSecond()).isPositive();
        assertThat(r.parent().batch32().p50Millis()).isPositive();
        assertThat(r.fidelity().source()).isEqualTo("random");
        assertThat(r.fidelity().samples()).isEqualTo(64);
        assertThat(r.fidelity().meanCosine()).isGreaterThanOrEqualTo(0.999);
        assertThat(r.fidelity().top1Agreement()).isNotNull();
        assertThat(r.notes()).anyMatch(n -> n.contains("random inputs"));
        assertThat(r.extras()).containsKey("int8-dynamic");
    }

    @Test
    void comparesOnGivenSamplesRowByRow() {
        CalibrationData samples = new CalibrationData(TestModels.samples("input", new long[] {10, 64}, 3, 9), "traffic");
        CompressionReport r = evaluator.evaluate(TestModels.mlp().toByteArray(), int8(TestModels.mlp()), samples);
        assertThat(r.fidelity().source()).isEqualTo("traffic");
        assertThat(r.fidelity().samples()).isEqualTo(30);
    }

    @Test
    void detectsDisagreementWhenTheChildIsWrong() {
        ModelProto parent = TestModels.mlp();
        ModelProto other = dev.otimo.onnx.Mlp.layered("mlp", new int[] {64, 128, 128, 10}, 8);
        CompressionReport r = evaluator.evaluate(parent.toByteArray(), other.toByteArray(), CalibrationData.none(),
                List.of(), Map.of());
        assertThat(r.fidelity().meanCosine()).isLessThan(0.9);
        assertThat(r.fidelity().top1Agreement()).isLessThan(0.9);
    }

    @Test
    void skipsBatch32WhenTheBatchDimensionIsFixed() {
        ModelProto fixed = GraphBuilder.named("fixed")
                .input("x", TensorProto.DataType.FLOAT, 1, 4).output("y", TensorProto.DataType.FLOAT, 1, 4)
                .node("Relu", List.of("x"), List.of("y")).build();
        CompressionReport r = evaluator.evaluate(fixed.toByteArray(), fixed.toByteArray(), CalibrationData.none(),
                List.of(), Map.of());
        assertThat(r.parent().batch32()).isNull();
        assertThat(r.fidelity().maxAbsError()).isZero();
        assertThat(r.fidelity().top1Agreement()).isEqualTo(1.0);
    }

    @Test
    void serialisesToJsonWithTheDocumentedFieldNames() {
        CompressionReport r = evaluator.evaluate(TestModels.mlp().toByteArray(), int8(TestModels.mlp()),
                CalibrationData.none());
        JsonNode json = JsonMapper.builder().build().valueToTree(r);
        assertThat(json.get("parent").get("sizeBytes").asLong()).isPositive();
        assertThat(json.get("parent").has("loadMillis")).isTrue();
        assertThat(json.get("child").get("batch1").has("rowsPerSecond")).isTrue();
        assertThat(json.get("child").get("batch32").has("p50Millis")).isTrue();
        for (String field : List.of("maxAbsError", "meanCosine", "top1Agreement", "samples", "source")) {
            assertThat(json.get("fidelity").has(field)).as(field).isTrue();
        }
        assertThat(json.get("notes").isArray()).isTrue();
        assertThat(json.get("extras").get("int8-dynamic").get("quantizedNodes").asInt()).isEqualTo(3);
    }

    @Test
    void rejectsChildThatOnnxRuntimeCannotLoad() {
        assertThatThrownBy(() -> evaluator.evaluate(TestModels.mlp().toByteArray(), TestModels.corruptBytes(),
                CalibrationData.none(), List.of(), Map.of()))
                .isInstanceOf(CompressionException.class).hasMessageContaining("cannot load");
    }

    @Test
    void aModelSlowerThanTheBudgetIsWarmedOnceAndMeasuredOnceReportingProgressPerRun() {
        // One 3x3 Conv, 16 -> 32 channels on 256x256: tens of milliseconds per run on one thread.
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        ModelProto slow = GraphBuilder.named("slow").opset(13)
                .input("x", TensorProto.DataType.FLOAT, 1, 16, 256, 256)
                .output("y", TensorProto.DataType.FLOAT, 1, 32, 256, 256)
                .initializer("k", TestModels.gaussian(r, 32 * 16 * 9, 0.1), 32, 16, 3, 3)
                .node("Conv", List.of("x", "k"), List.of("y"), GraphBuilder.attr("pads", new long[] {1, 1, 1, 1}))
                .build();
        Map<String, TensorData> feed = TestModels.randomInput("x", new long[] {1, 16, 256, 256}, 3);
        try (ScoringSession a = ScoringSession.open(slow.toByteArray(), 1);
             ScoringSession b = ScoringSession.open(slow.toByteArray(), 1)) {
            a.run(feed);
            long t0 = System.nanoTime();
            a.run(feed);
            Duration oneRun = Duration.ofNanos(System.nanoTime() - t0);
            List<Double> progress = new java.util.ArrayList<>();
            List<ThroughputMeter.Figures> figures = ThroughputMeter.interleaved(List.of(a, b), feed, 1, oneRun.dividedBy(10),
                    20, progress::add);
            // 20 warm-up runs and 10 rounds would take 30 runs per model; a budget of a tenth of a run allows one of each.
            assertThat(figures).allSatisfy(f -> assertThat(f.runs()).isLessThanOrEqualTo(2));
            assertThat(progress).hasSizeBetween(4, 8).isSorted().allSatisfy(p -> assertThat(p).isBetween(0.0, 1.0));
        }
    }
}
