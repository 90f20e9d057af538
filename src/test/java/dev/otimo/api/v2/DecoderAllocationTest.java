package dev.otimo.api.v2;

import dev.otimo.api.ApiException;
import dev.otimo.runtime.DataType;
import dev.otimo.runtime.Signature;
import dev.otimo.runtime.TensorSpec;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Whatever a body declares, decoding it allocates at most a small multiple of its size: measured
 * with the thread's allocation counter around each decode.
 */
class DecoderAllocationTest {

    /** Bytes the decoder may allocate per body byte. */
    private static final long PER_BODY_BYTE = 24;
    /** What any decode may allocate regardless of the body (parser state, exceptions, lists). */
    private static final long FIXED = 128 * 1024;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static final Signature FOUR_FP32 = new Signature(
            List.of(new TensorSpec("a", DataType.FP32, new long[] {-1, 4}), new TensorSpec("b", DataType.FP32, new long[] {-1, 4})),
            List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, 4})), true);

    /** Bytes allocated by this thread while decoding {@code body}, whether it was accepted or refused. */
    private static long allocatedDecoding(byte[] body, long headerLength, Signature signature) {
        long before = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
        try {
            V2RequestDecoder.decode(body, headerLength, signature);
        } catch (ApiException refused) {
            assertThat(refused.status().is4xxClientError()).isTrue();
        }
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
    }

    private static void assertBounded(byte[] body, long headerLength, Signature signature) {
        // the first decode of a shape warms class loading and Jackson's symbol tables; measure the second
        allocatedDecoding(body, headerLength, signature);
        long allocated = allocatedDecoding(body, headerLength, signature);
        assertThat(allocated).as("bytes allocated decoding a body of %d bytes", body.length)
                .isLessThanOrEqualTo(PER_BODY_BYTE * body.length + FIXED);
    }

    /** The 20 KB request: 300 FP64 inputs each declaring 2^20 elements and sending none. */
    static String hugeDeclaredShapes(int inputs) {
        StringBuilder json = new StringBuilder("{\"inputs\":[");
        for (int i = 0; i < inputs; i++) {
            json.append(i == 0 ? "" : ",").append("{\"name\":\"x").append(i)
                    .append("\",\"datatype\":\"FP64\",\"shape\":[1048576],\"data\":[]}");
        }
        return json.append("]}").toString();
    }

    @Test
    void hugeDeclaredShapesWithNoDataAllocateNothingLikeTheirShape() {
        byte[] body = hugeDeclaredShapes(300).getBytes(StandardCharsets.UTF_8);
        assertThat(body.length).isBetween(15_000, 25_000);
        assertThatThrownBy(() -> V2RequestDecoder.decode(body, -1)).isInstanceOf(ApiException.class)
                .hasMessageContaining("declares 1048576 elements");
        assertBounded(body, -1, null);
    }

    @Test
    void hugeDeclaredShapeWithDataBeforeDatatypeIsRefusedUnread() {
        String json = "{\"inputs\":[{\"name\":\"x\",\"data\":[1,2,3],\"shape\":[1048576],\"datatype\":\"FP64\"}]}";
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> V2RequestDecoder.decode(body, -1)).isInstanceOf(ApiException.class)
                .hasMessageContaining("declares 1048576 elements");
        assertBounded(body, -1, null);
    }

    @Test
    void manyInputsBeyondTheSignatureAreRefusedAtTheFirstExtraOne() {
        byte[] body = ("{\"inputs\":[" + "{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,2,3,4]},".repeat(2)
                + "{\"name\":\"c\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,2,3,4]}]}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> V2RequestDecoder.decode(body, -1, FOUR_FP32)).isInstanceOf(ApiException.class)
                .hasMessageContaining("more inputs than the model's 2");
    }

    @Test
    void unknownInputIsRefusedBeforeItsDataIsRead() {
        byte[] body = "{\"inputs\":[{\"name\":\"zz\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,2,\"not a number\",4]}]}"
                .getBytes(StandardCharsets.UTF_8);
        // the bad element is never reached: the name is refused first
        assertThatThrownBy(() -> V2RequestDecoder.decode(body, -1, FOUR_FP32)).isInstanceOf(ApiException.class)
                .hasMessageContaining("unknown input 'zz'");
    }

    @Test
    void wrongDatatypeOrShapeIsRefusedBeforeItsDataIsRead() {
        byte[] wrongType = "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP64\",\"shape\":[1,4],\"data\":[1,2,\"x\",4]}]}"
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> V2RequestDecoder.decode(wrongType, -1, FOUR_FP32)).hasMessageContaining("must be FP32");
        byte[] wrongShape = "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,5],\"data\":[1,2,\"x\",4]}]}"
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> V2RequestDecoder.decode(wrongShape, -1, FOUR_FP32)).hasMessageContaining("expects [-1, 4]");
    }

    @Test
    void bytesTensorOfEmptyElementsTakesLittleMoreThanItsBody() {
        int n = 200_000;
        StringBuilder json = new StringBuilder("{\"inputs\":[{\"name\":\"s\",\"datatype\":\"BYTES\",\"shape\":[")
                .append(n).append("],\"data\":[");
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "\"\"" : ",\"\"");
        }
        byte[] body = json.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
        assertThat(V2RequestDecoder.decode(body, -1).inputs().get(0).elements().length).isEqualTo(n);
        allocatedDecoding(body, -1, null);
        // a reference per element, and the list's growth: a few bytes per three-byte element
        assertThat(allocatedDecoding(body, -1, null)).isLessThanOrEqualTo(6L * body.length + FIXED);
    }

    @Test
    void binaryBytesTensorOfEmptyElementsTakesLittleMoreThanItsBody() {
        int n = 200_000;
        String header = "{\"inputs\":[{\"name\":\"s\",\"datatype\":\"BYTES\",\"shape\":[" + n
                + "],\"parameters\":{\"binary_data_size\":" + 4 * n + "}}]}";
        byte[] body = BinaryExtensionTest.binaryRequest(header, new byte[4 * n]);
        assertThat(V2RequestDecoder.decode(body, header.length()).inputs().get(0).elements().length).isEqualTo(n);
        allocatedDecoding(body, header.length(), null);
        assertThat(allocatedDecoding(body, header.length(), null)).isLessThanOrEqualTo(4L * body.length + FIXED);
    }

    @Test
    void binaryBytesShapeLargerThanItsDataIsRefusedUnread() {
        String header = "{\"inputs\":[{\"name\":\"s\",\"datatype\":\"BYTES\",\"shape\":[1000000000],"
                + "\"parameters\":{\"binary_data_size\":8}}]}";
        byte[] body = BinaryExtensionTest.binaryRequest(header, new byte[8]);
        assertThatThrownBy(() -> V2RequestDecoder.decode(body, header.length())).isInstanceOf(ApiException.class)
                .hasMessageContaining("holds at most 2");
    }

    @Test
    void moreElementsThanTheShapeDeclaresAreRefused() {
        byte[] body = "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2,3,4,5,6,7,8]}]}"
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> V2RequestDecoder.decode(body, -1)).isInstanceOf(ApiException.class)
                .hasMessageContaining("more than the 2 elements");
    }

    @Test
    void realTensorsStillDecodeWhateverTheirSize() {
        for (int n : new int[] {1, 15, 16, 17, 1000, 100_000}) {
            StringBuilder json = new StringBuilder("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP64\",\"shape\":[")
                    .append(n).append("],\"data\":[");
            for (int i = 0; i < n; i++) {
                json.append(i == 0 ? "" : ",").append(i);
            }
            byte[] body = json.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
            java.nio.ByteBuffer data = V2RequestDecoder.decode(body, -1).inputs().get(0).data();
            assertThat(data.limit()).isEqualTo(8 * n);
            assertThat(data.getDouble(8 * (n - 1))).isEqualTo(n - 1);
            assertBounded(body, -1, null);
        }
    }

    /**
     * The property: 10,000 seeded random bodies, from mutations of a valid request to declared shapes
     * of every size over little data, each decoded within the bound (accepted or refused with 4xx).
     */
    @Test
    void anyBodyOfNBytesAllocatesAtMostASmallMultipleOfN() {
        Random random = new Random(20261202L);
        String[] types = {"BOOL", "UINT8", "INT8", "INT16", "UINT16", "INT32", "UINT32", "INT64", "UINT64",
                "FP16", "FP32", "FP64", "BYTES"};
        long worst = 0;
        int warmUp = 200;
        for (int i = 0; i < warmUp + 10_000; i++) {
            StringBuilder json = new StringBuilder("{\"inputs\":[");
            int inputs = 1 + random.nextInt(40);
            for (int k = 0; k < inputs; k++) {
                String type = types[random.nextInt(types.length)];
                long dim = switch (random.nextInt(4)) {
                    case 0 -> random.nextInt(4);
                    case 1 -> random.nextInt(64);
                    case 2 -> 1L << random.nextInt(31);
                    default -> random.nextInt(1 << 20);
                };
                int sent = (int) Math.min(dim, random.nextInt(3) == 0 ? dim : random.nextInt(32));
                json.append(k == 0 ? "" : ",").append("{\"name\":\"x").append(k).append("\",\"datatype\":\"")
                        .append(type).append("\",\"shape\":[").append(dim).append("],\"data\":[");
                for (int e = 0; e < Math.min(sent, 4096); e++) {
                    json.append(e == 0 ? "" : ",").append(type.equals("BYTES") ? "\"\"" : type.equals("BOOL") ? "true" : "1");
                }
                json.append("]}");
            }
            byte[] body = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
            if (random.nextBoolean()) {
                body[random.nextInt(body.length)] = (byte) "[]{},:\"0123456789e-".charAt(random.nextInt(19));
            }
            long allocated = allocatedDecoding(body, -1, null);
            if (i < warmUp) {
                // the first bodies load classes and fill Jackson's symbol tables
                continue;
            }
            if (allocated > PER_BODY_BYTE * body.length + FIXED) {
                // a rare mutation takes an error path for the first time (class loading): measure it again
                allocated = allocatedDecoding(body, -1, null);
            }
            worst = Math.max(worst, allocated - PER_BODY_BYTE * body.length);
            assertThat(allocated).as("body %d: %d bytes", i, body.length).isLessThanOrEqualTo(PER_BODY_BYTE * body.length + FIXED);
        }
        assertThat(worst).isLessThanOrEqualTo(FIXED);
    }
}
