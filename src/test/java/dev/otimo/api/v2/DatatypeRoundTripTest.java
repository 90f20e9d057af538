package dev.otimo.api.v2;

import dev.otimo.runtime.DataType;
import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every v2 datatype goes through a model that echoes it, and through models that cast it. */
class DatatypeRoundTripTest extends ServerTest {

    /** Two rows of three values per type, edge values included. */
    static final Map<DataType, String> SAMPLES = Map.ofEntries(
            Map.entry(DataType.BOOL, "[true, false, true, false, false, true]"),
            Map.entry(DataType.UINT8, "[0, 1, 127, 128, 254, 255]"),
            Map.entry(DataType.UINT16, "[0, 1, 32767, 32768, 65534, 65535]"),
            Map.entry(DataType.UINT32, "[0, 1, 2147483647, 2147483648, 4294967294, 4294967295]"),
            Map.entry(DataType.UINT64, "[0, 1, 9223372036854775807, 9223372036854775808, 18446744073709551614, 18446744073709551615]"),
            Map.entry(DataType.INT8, "[-128, -1, 0, 1, 126, 127]"),
            Map.entry(DataType.INT16, "[-32768, -1, 0, 1, 32766, 32767]"),
            Map.entry(DataType.INT32, "[-2147483648, -1, 0, 1, 2147483646, 2147483647]"),
            Map.entry(DataType.INT64, "[-9223372036854775808, -1, 0, 1, 9223372036854775806, 9223372036854775807]"),
            Map.entry(DataType.FP16, "[-65504.0, -1.5, 0.0, 0.000060975552, 1.25, 65504.0]"),
            Map.entry(DataType.FP32, "[-3.4028235E38, -1.5, 0.0, 1.0E-30, 3.14159, 3.4028235E38]"),
            Map.entry(DataType.FP64, "[-1.7976931348623157E308, -1.5, 0.0, 4.9E-324, 2.718281828459045, 1.7976931348623157E308]"),
            Map.entry(DataType.BYTES, "[\"\", \"a\", \"hello\", \"ünïcødé\", \"with space\", \"12345\"]"));

    @ParameterizedTest
    @EnumSource(DataType.class)
    void echoModelReturnsEveryValueOfEveryDatatype(DataType type) {
        String model = unique("echo-" + type.name().toLowerCase());
        serve(model, TestModels.echo(type));
        JsonNode r = inferOk(model, request(type));
        JsonNode out = r.get("outputs").get(0);
        assertThat(out.get("datatype").asString()).isEqualTo(type.name());
        assertThat(out.get("shape").toString()).isEqualTo("[2,3]");
        JsonNode expected = JSON.readTree(SAMPLES.get(type));
        for (int i = 0; i < 6; i++) {
            if (type.isFloatingPoint()) {
                assertThat(out.get("data").get(i).doubleValue()).isEqualTo(expected.get(i).doubleValue(), org.assertj.core.data.Offset.offset(
                        type == DataType.FP16 ? 1e-7 : 0.0));
            } else {
                assertThat(out.get("data").get(i).toString()).isEqualTo(expected.get(i).toString());
            }
        }
    }

    @Test
    void castModelsConvertBetweenDatatypes() {
        String toFloat = unique("cast-i32-f32");
        serve(toFloat, TestModels.cast(DataType.INT32, DataType.FP32));
        JsonNode r = inferOk(toFloat, "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"INT32\",\"data\":[-7,0,123456]}]}");
        assertThat(r.get("outputs").get(0).get("datatype").asString()).isEqualTo("FP32");
        assertThat(r.get("outputs").get(0).get("data").toString()).isEqualTo("[-7.0,0.0,123456.0]");

        String toHalf = unique("cast-f32-f16");
        serve(toHalf, TestModels.cast(DataType.FP32, DataType.FP16));
        JsonNode h = inferOk(toHalf, "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1.0,0.333333,70000]}]}");
        JsonNode data = h.get("outputs").get(0).get("data");
        assertThat(data.get(0).doubleValue()).isEqualTo(1.0);
        assertThat(data.get(1).doubleValue()).isCloseTo(0.333251953125, org.assertj.core.data.Offset.offset(1e-7));
        assertThat(h.get("outputs").get(0).get("datatype").asString()).isEqualTo("FP16");

        String toUnsigned = unique("cast-i64-u32");
        serve(toUnsigned, TestModels.cast(DataType.INT64, DataType.UINT32));
        JsonNode u = inferOk(toUnsigned, "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"INT64\",\"data\":[0,4294967295,7]}]}");
        assertThat(u.get("outputs").get(0).get("data").toString()).isEqualTo("[0,4294967295,7]");
    }

    static String request(DataType type) {
        return "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],\"datatype\":\"" + type + "\",\"data\":" + SAMPLES.get(type) + "}]}";
    }
}
