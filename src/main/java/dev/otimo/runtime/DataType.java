package dev.otimo.runtime;

import ai.onnx.proto.OnnxMl.TensorProto;

import java.util.Locale;
import java.util.Optional;

/**
 * The tensor element types of the Open Inference Protocol, with their byte width and their ONNX
 * counterpart. BYTES has no fixed width: its elements are length-prefixed byte strings.
 */
public enum DataType {
    BOOL(1, TensorProto.DataType.BOOL),
    UINT8(1, TensorProto.DataType.UINT8),
    UINT16(2, TensorProto.DataType.UINT16),
    UINT32(4, TensorProto.DataType.UINT32),
    UINT64(8, TensorProto.DataType.UINT64),
    INT8(1, TensorProto.DataType.INT8),
    INT16(2, TensorProto.DataType.INT16),
    INT32(4, TensorProto.DataType.INT32),
    INT64(8, TensorProto.DataType.INT64),
    FP16(2, TensorProto.DataType.FLOAT16),
    FP32(4, TensorProto.DataType.FLOAT),
    FP64(8, TensorProto.DataType.DOUBLE),
    BYTES(0, TensorProto.DataType.STRING);

    private final int byteSize;
    private final TensorProto.DataType onnx;

    DataType(int byteSize, TensorProto.DataType onnx) {
        this.byteSize = byteSize;
        this.onnx = onnx;
    }

    /** Bytes per element; 0 for BYTES. */
    public int byteSize() {
        return byteSize;
    }

    public TensorProto.DataType onnx() {
        return onnx;
    }

    public boolean isFixedWidth() {
        return this != BYTES;
    }

    public boolean isFloatingPoint() {
        return this == FP16 || this == FP32 || this == FP64;
    }

    public boolean isUnsignedInteger() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }

    /** Parses a v2 datatype name (case-insensitive). */
    public static Optional<DataType> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(name.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The v2 type of an ONNX element type, when the protocol has one. */
    public static Optional<DataType> fromOnnx(int onnxElemType) {
        for (DataType t : values()) {
            if (t.onnx.getNumber() == onnxElemType) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
