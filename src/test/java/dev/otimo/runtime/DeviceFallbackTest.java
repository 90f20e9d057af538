package dev.otimo.runtime;

import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Asking for CUDA where there is none deploys on CPU and says why, everywhere it is reported. */
class DeviceFallbackTest extends ServerTest {

    @Test
    void cudaWithoutGpuDeploysOnCpuAndSaysSo() {
        assumeFalse(GpuProbe.cudaUsable(), "this machine has a usable CUDA GPU");
        String model = unique("fallback");
        int v = upload(model, TestModels.sumAndScale());
        JsonNode deployment = deploy(model, v, "{\"device\": \"cuda\"}");
        assertThat(deployment.get("state").asString()).isEqualTo("READY");
        assertThat(deployment.get("device").asString()).isEqualTo("cuda:0");
        assertThat(deployment.get("provider").asString()).startsWith("cpu (fallback: ");
        http.get().uri("/v2/models/{m}", model).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.parameters.device").value(d -> assertThat((String) d).startsWith("cpu (fallback: "));
        JsonNode r = inferOk(model, """
                {"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
                            {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [1, 1, 1, 1]}]}""");
        assertThat(r.get("outputs").get(0).get("data").toString()).isEqualTo("[2.0,3.0,4.0,5.0]");
    }

    @Test
    void unknownDeviceIs400() {
        String model = unique("baddevice");
        int v = upload(model, TestModels.sumAndScale());
        admin.put().uri("/api/v1/models/{m}/versions/{v}/deployment", model, v)
                .header("Content-Type", "application/json").bodyValue("{\"device\": \"tpu\"}").exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.error")
                .value(e -> assertThat((String) e).contains("not one of cpu, cuda"));
    }
}
