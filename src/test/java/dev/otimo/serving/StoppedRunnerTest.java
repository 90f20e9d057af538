package dev.otimo.serving;

import dev.otimo.batching.BatchListener;
import dev.otimo.batching.BatchingPolicy;
import dev.otimo.batching.RunnerStoppedException;
import dev.otimo.onnx.ModelInspector;
import dev.otimo.registry.DeploymentSpec;
import dev.otimo.runtime.DataType;
import dev.otimo.runtime.Device;
import dev.otimo.runtime.ModelSession;
import dev.otimo.runtime.OrtRuntime;
import dev.otimo.runtime.SessionSettings;
import dev.otimo.runtime.Signature;
import dev.otimo.runtime.Tensor;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A deployment whose runner thread stopped is not ready, says why, and refuses requests with that reason. */
class StoppedRunnerTest {

    @Test
    void deploymentWhoseRunnerStoppedIsNotReadyAndSaysWhy(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("echo.onnx");
        Files.write(file, TestModels.echo(DataType.FP32));
        Signature signature = ModelInspector.inspect(file).signature();
        ModelSession session = new OrtRuntime().open(file, signature, Device.CPU, new SessionSettings(1, 1, "all", true, false));
        LiveDeployment d = LiveDeployment.serving("echo", 1, new DeploymentSpec("cpu", 1, 1, BatchingPolicy.OFF),
                Instant.now(), session, BatchListener.NONE);
        try {
            assertThat(d.isReady()).isTrue();
            // ONNX Runtime refuses four values for a [batch, 3] input; answering that failure throws an Error
            d.infer(List.of(Tensor.ofFloats("x", new long[] {1, 4}, 1, 2, 3, 4)), Set.of(), 1, "x:4", 1, 0)
                    .subscribe(out -> { }, e -> {
                        throw new OutOfMemoryError("no heap left to answer");
                    });
            await().atMost(Duration.ofSeconds(10)).until(() -> !d.isReady());
            assertThat(d.state()).isEqualTo(LiveDeployment.State.FAILED);
            assertThat(d.runnerStopped()).isTrue();
            assertThat(d.error()).startsWith("runner thread stopped: ").contains("no heap left to answer");
            assertThatThrownBy(() -> d.infer(List.of(Tensor.ofFloats("x", new long[] {1, 3}, 1, 2, 3)), Set.of(), 1, "x:3", 1, 0)
                    .block(Duration.ofSeconds(5)))
                    .isInstanceOf(RunnerStoppedException.class).hasMessageContaining("runner thread stopped: ");
        } finally {
            d.close();
        }
    }
}
