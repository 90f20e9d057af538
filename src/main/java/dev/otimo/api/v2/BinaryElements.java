package dev.otimo.api.v2;

import dev.otimo.api.ApiException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** BYTES tensors in the binary extension: each element is a 4-byte little-endian length, then the bytes. */
final class BinaryElements {

    private BinaryElements() {
    }

    static byte[][] readBytes(byte[] body, int offset, int size, long expectedCount, String input) {
        ByteBuffer b = ByteBuffer.wrap(body, offset, size).slice().order(ByteOrder.LITTLE_ENDIAN);
        // the caller made sure the data can hold expectedCount elements of at least their 4-byte length
        byte[][] elements = new byte[(int) expectedCount][];
        int count = 0;
        while (b.hasRemaining()) {
            if (b.remaining() < 4) {
                throw ApiException.badRequest("input '" + input + "': truncated BYTES element length in binary data");
            }
            int length = b.getInt();
            if (length < 0 || length > b.remaining()) {
                throw ApiException.badRequest("input '" + input + "': BYTES element length " + Integer.toUnsignedString(length)
                        + " goes beyond its binary data");
            }
            if (count == expectedCount) {
                throw ApiException.badRequest("input '" + input + "': binary data holds more than the "
                        + expectedCount + " BYTES elements its shape needs");
            }
            if (length == 0) {
                elements[count++] = V2RequestDecoder.EMPTY_ELEMENT;
                continue;
            }
            byte[] e = new byte[length];
            b.get(e);
            elements[count++] = e;
        }
        if (count != expectedCount) {
            throw ApiException.badRequest("input '" + input + "': shape needs " + expectedCount
                    + " BYTES elements but binary data holds " + count);
        }
        return elements;
    }

    static void writeBytes(byte[][] elements, ByteArrayOutputStream out) {
        byte[] length = new byte[4];
        for (byte[] e : elements) {
            ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).putInt(e.length);
            out.write(length, 0, 4);
            out.write(e, 0, e.length);
        }
    }

    static int sizeOf(byte[][] elements) {
        int total = 0;
        for (byte[] e : elements) {
            total += 4 + e.length;
        }
        return total;
    }
}
