package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.util.List;
import java.util.Map;

/**
 * Recognises hard-swish written out as {@code x · Clip(x + 3, 0, 6) / 6} (how several exporters emit
 * MobileNetV3) and replaces the four nodes with one {@code HardSwish} (opset 14). Static quantization
 * runs this first: ONNX Runtime has no integer kernel for the pieces, so each one would otherwise
 * leave the integer domain on its own.
 */
final class HardSwishFusion {

    private HardSwishFusion() {
    }

    /** Rewrites every match in place; returns how many were replaced. Needs opset 14 when it returns > 0. */
    static int apply(GraphEditor g) {
        int fused = 0;
        boolean changed = true;
        while (changed) {
            changed = false;
            Map<String, List<NodeProto>> readers = g.consumerIndex();
            for (NodeProto add : g.nodes) {
                if (tryFuse(g, add, readers)) {
                    fused++;
                    changed = true;
                    break;
                }
            }
        }
        return fused;
    }

    private static boolean tryFuse(GraphEditor g, NodeProto add, Map<String, List<NodeProto>> readers) {
        if (!isOp(add, "Add") || add.getInputCount() != 2) {
            return false;
        }
        String x;
        if (isScalar(g, add.getInput(1), 3f)) {
            x = add.getInput(0);
        } else if (isScalar(g, add.getInput(0), 3f)) {
            x = add.getInput(1);
        } else {
            return false;
        }
        NodeProto clip = only(readers, add.getOutput(0), g);
        if (clip == null || !isOp(clip, "Clip") || !clipsTo(g, clip, 0f, 6f)) {
            return false;
        }
        NodeProto second = only(readers, clip.getOutput(0), g);
        if (second == null) {
            return false;
        }
        NodeProto last;
        List<NodeProto> chain;
        if (isOp(second, "Mul") && second.getInputList().contains(x)) {
            // x * clip, then / 6
            NodeProto div = only(readers, second.getOutput(0), g);
            if (div == null || !isOp(div, "Div") || !div.getInput(0).equals(second.getOutput(0))
                    || !isScalar(g, div.getInput(1), 6f)) {
                return false;
            }
            last = div;
            chain = List.of(add, clip, second, div);
        } else if (isOp(second, "Div") && second.getInput(0).equals(clip.getOutput(0))
                && isScalar(g, second.getInput(1), 6f)) {
            // clip / 6, then * x
            NodeProto mul = only(readers, second.getOutput(0), g);
            if (mul == null || !isOp(mul, "Mul") || !mul.getInputList().contains(x)) {
                return false;
            }
            last = mul;
            chain = List.of(add, clip, second, mul);
        } else {
            return false;
        }
        NodeProto hardSwish = g.newNode("HardSwish", "", List.of(x), List.of(last.getOutput(0)));
        g.replace(add, hardSwish);
        for (NodeProto n : chain.subList(1, chain.size())) {
            g.remove(n);
        }
        return true;
    }

    private static NodeProto only(Map<String, List<NodeProto>> readers, String tensor, GraphEditor g) {
        List<NodeProto> r = readers.getOrDefault(tensor, List.of());
        return r.size() == 1 && !g.graphOutputNames().contains(tensor) ? r.get(0) : null;
    }

    private static boolean isOp(NodeProto n, String op) {
        return n.getOpType().equals(op) && GraphEditor.normalDomain(n.getDomain()).isEmpty();
    }

    private static boolean isScalar(GraphEditor g, String name, float value) {
        TensorProto t = g.initializer(name);
        return t != null && Tensors.isFloat(t) && Tensors.elementCount(t) == 1 && Tensors.floats(t)[0] == value;
    }

    private static boolean clipsTo(GraphEditor g, NodeProto clip, float lo, float hi) {
        if (clip.getInputCount() >= 3) {
            return isScalar(g, clip.getInput(1), lo) && isScalar(g, clip.getInput(2), hi);
        }
        return GraphEditor.floatAttribute(clip, "min", Float.NaN) == lo
                && GraphEditor.floatAttribute(clip, "max", Float.NaN) == hi;
    }
}
