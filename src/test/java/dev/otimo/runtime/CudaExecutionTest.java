package dev.otimo.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.otimo.onnx.Mlp;
import dev.otimo.support.ServerTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * On a machine with an NVIDIA GPU and CUDA 12 + cuDNN 9: a deployment with device cuda runs on the
 * CUDA execution provider, and ONNX Runtime's profile shows its nodes executed by that provider.
 * Reported as skipped elsewhere.
 */
@Tag("gpu")
class CudaExecutionTest extends ServerTest {

    @Test
    void cudaDeploymentRunsOnTheCudaProvider() throws Exception {
        assumeTrue(GpuProbe.cudaUsable(), "no NVIDIA GPU with CUDA 12 and cuDNN 9 libraries on this machine");
        String model = unique("gpu");
        byte[] onnx = Mlp.layered("gpu_mlp", new int[] {64, 128, 10}, 3).toByteArray();
        int v = upload(model, onnx);
        JsonNode deployment = deploy(model, v, "{\"device\": \"cuda:0\"}");
        assertThat(deployment.get("provider").asString()).isEqualTo("cuda:0");
        StringBuilder row = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            row.append(i == 0 ? "" : ",").append(i / 64.0);
        }
        inferOk(model, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,64],\"datatype\":\"FP32\",\"data\":[" + row + "]}]}");

        // independent check: ONNX Runtime's own profile names the provider that executed each node
        Path file = Files.createTempFile("gpu", ".onnx");
        Files.write(file, onnx);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.addCUDA(0);
            options.enableProfiling(Files.createTempDirectory("ort-profile").resolve("run").toString());
            try (OrtSession session = env.createSession(file.toString(), options);
                 OnnxTensor x = OnnxTensor.createTensor(env, new float[1][64])) {
                session.run(java.util.Map.of("input", x)).close();
                String profile = Files.readString(Path.of(session.endProfiling()));
                assertThat(profile).contains("\"provider\":\"CUDAExecutionProvider\"");
            }
        }
    }
}
