package dev.otimo.api.v2;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;
import java.util.Map;

/**
 * The JSON objects of the Open Inference Protocol v2, as records: metadata responses are
 * serialised from them, and the OpenAPI document describes requests and responses with them
 * (the infer path itself streams through {@link V2RequestDecoder} and {@link V2ResponseEncoder}).
 */
public final class V2Schemas {

    private V2Schemas() {
    }

    @Schema(name = "ServerMetadataResponse")
    public record ServerMetadata(String name, String version, List<String> extensions) {
    }

    @Schema(name = "TensorMetadata")
    public record TensorMetadata(String name,
                                 @Schema(allowableValues = {"BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16",
                                         "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"}) String datatype,
                                 @Schema(description = "-1 marks a dynamic dimension") List<Long> shape) {
    }

    @Schema(name = "ModelMetadataResponse")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ModelMetadata(String name, List<String> versions, String platform,
                                List<TensorMetadata> inputs, List<TensorMetadata> outputs,
                                @Schema(description = "Otimo extras: device the version runs on (with any CPU fallback reason), batching, state")
                                Map<String, Object> parameters) {
    }

    @Schema(name = "LiveResponse")
    public record Live(boolean live) {
    }

    @Schema(name = "ReadyResponse")
    public record Ready(boolean ready) {
    }

    @Schema(name = "ModelReadyResponse")
    public record ModelReady(String name, String version, boolean ready) {
    }

    @Schema(name = "InferenceRequestParameters", description = "schedule policy and binary output")
    public record RequestParameters(
            @Schema(description = "1 = highest priority") Integer priority,
            @Schema(description = "longest wait in the queue, µs; a request not started in time fails with 429 and is not run") Long timeout,
            @Schema(description = "send every output as binary data") Boolean binary_data_output) {
    }

    @Schema(name = "InferenceRequestInput")
    public record RequestInput(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "features") String name,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "[1, 4]") List<Long> shape,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "FP32", allowableValues = {"BOOL", "UINT8", "UINT16",
                    "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"}) String datatype,
            @Schema(description = "binary_data_size when the data travels in the binary section") Map<String, Object> parameters,
            @ArraySchema(schema = @Schema(description = "number, boolean or string; flat or nested, row-major",
                    example = "5.1")) List<Object> data) {
    }

    @Schema(name = "InferenceRequestOutput")
    public record RequestOutput(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) String name,
                                @Schema(description = "binary_data: true to receive this output as binary data") Map<String, Object> parameters) {
    }

    @Schema(name = "InferenceRequest")
    public record InferenceRequestBody(String id, RequestParameters parameters,
                                       @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<RequestInput> inputs,
                                       List<RequestOutput> outputs) {
    }

    @Schema(name = "InferenceResponseOutput")
    public record ResponseOutput(String name, List<Long> shape, String datatype, Map<String, Object> parameters,
                                 @ArraySchema(schema = @Schema(description = "number, boolean or string, flat row-major")) List<Object> data) {
    }

    @Schema(name = "InferenceResponse")
    public record InferenceResponseBody(String model_name, String model_version, String id, List<ResponseOutput> outputs) {
    }
}
