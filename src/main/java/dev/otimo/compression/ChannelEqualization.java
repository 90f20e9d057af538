package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evens out the channels of feature maps before per-tensor activation quantization. A Conv whose
 * output reaches only other Convs, through Relu, MaxPool, AveragePool and channel Concat, has each
 * output channel {@code c} scaled by {@code t_c = 1 / max|x_c|} (its weights and bias), and every
 * Conv that reads the channel divides its weights for that input channel by {@code t_c}; the model
 * computes the same function, since those operators commute with a positive per-channel scale.
 *
 * <p>Without it, one scale per tensor must cover the channel with the widest range, and channels
 * with small values keep only a few of the 256 levels. That is harmless where the next layer weighs
 * them lightly, and ruinous where a normalisation amplifies them: in DenseNet each layer applies a
 * BatchNormalization (a depthwise Conv by then, see {@link BatchNormToConv}) to the concatenation
 * of every earlier feature map, and multiplies low-variance channels by factors in the tens.
 */
final class ChannelEqualization {

    private static final Set<String> PASS_THROUGH = Set.of("Relu", "MaxPool", "AveragePool", "Concat");
    /** Channels quieter than this on every calibration sample are left as they are. */
    private static final float DEAD = 1e-6f;
    private static final float MAX_FACTOR = 1e4f;

    private ChannelEqualization() {
    }

    /**
     * A source Conv, the pass-through nodes its channels travel through, the Convs that read them, and the
     * tensors whose channel counts place them inside a Concat.
     */
    private record Flow(NodeProto source, Set<NodeProto> passing, List<NodeProto> readers, Set<String> concatInputs) {
    }

    /**
     * Rewrites the graph; returns how many source Convs were equalized.
     *
     * @param data calibration samples, to measure the channels' ranges
     */
    static int apply(GraphEditor g, CalibrationData data) {
        Map<String, List<NodeProto>> readers = g.consumerIndex();
        Set<String> outputs = g.graphOutputNames();
        List<Flow> flows = new ArrayList<>();
        Set<String> observe = new LinkedHashSet<>();
        for (NodeProto n : g.nodes) {
            Flow f = flow(g, n, readers, outputs);
            if (f != null) {
                flows.add(f);
                observe.add(n.getOutput(0));
                observe.addAll(f.concatInputs);
            }
        }
        if (flows.isEmpty()) {
            return 0;
        }
        Map<String, float[]> channels = ActivationCalibrator.channelMaxAbs(g.build(), observe, data);
        int equalized = 0;
        for (Flow f : flows) {
            float[] max = channels.get(f.source.getOutput(0));
            Map<String, List<Integer>> offsets = max == null ? null : offsets(g, f, channels);
            if (offsets == null || g.initializer(f.source.getInput(1)).getDims(0) != max.length) {
                continue;
            }
            float[] factor = new float[max.length];
            boolean changes = false;
            for (int c = 0; c < max.length; c++) {
                factor[c] = max[c] > DEAD ? Math.min(MAX_FACTOR, 1f / max[c]) : 1f;
                changes |= factor[c] != 1f;
            }
            if (!changes) {
                continue;
            }
            scaleOutputs(g, f.source, factor);
            for (NodeProto reader : f.readers) {
                for (int offset : offsets.get(reader.getInput(0))) {
                    scaleInputs(g, reader, offset, factor);
                }
            }
            equalized++;
        }
        return equalized;
    }

    /**
     * The flow of a Conv with constant weights whose output passes only through {@link #PASS_THROUGH}
     * operators into Convs (as their data input, with constant weights); null when any path ends elsewhere.
     */
    private static Flow flow(GraphEditor g, NodeProto source, Map<String, List<NodeProto>> readers, Set<String> outputs) {
        if (!isConv(source) || !ownsConstants(g, source, readers)) {
            return null;
        }
        Set<NodeProto> passing = new LinkedHashSet<>();
        Set<NodeProto> found = new LinkedHashSet<>();
        Set<String> concatInputs = new LinkedHashSet<>();
        Deque<String> pending = new ArrayDeque<>(List.of(source.getOutput(0)));
        Set<String> seen = new LinkedHashSet<>();
        while (!pending.isEmpty()) {
            String t = pending.pop();
            if (!seen.add(t)) {
                continue;
            }
            if (outputs.contains(t)) {
                return null;
            }
            for (NodeProto n : readers.getOrDefault(t, List.of())) {
                if (isConv(n) && n.getInput(0).equals(t) && n.getInputList().lastIndexOf(t) == 0
                        && ownsConstants(g, n, readers)) {
                    found.add(n);
                } else if (PASS_THROUGH.contains(n.getOpType()) && GraphEditor.normalDomain(n.getDomain()).isEmpty()
                        && passesChannels(n)) {
                    if (n.getOpType().equals("Concat")) {
                        concatInputs.addAll(n.getInputList());
                    }
                    passing.add(n);
                    pending.push(n.getOutput(0));
                } else {
                    return null;
                }
            }
        }
        return found.isEmpty() ? null : new Flow(source, passing, List.copyOf(found), concatInputs);
    }

    /**
     * Where the source's channels sit in each tensor of the flow (a tensor may hold them more than once);
     * null when a Concat input's channel count was not observed.
     */
    private static Map<String, List<Integer>> offsets(GraphEditor g, Flow f, Map<String, float[]> channels) {
        Map<String, List<Integer>> at = new HashMap<>();
        at.put(f.source.getOutput(0), List.of(0));
        for (NodeProto n : g.nodes) {
            if (!f.passing.contains(n)) {
                continue;
            }
            List<Integer> out = new ArrayList<>();
            if (n.getOpType().equals("Concat")) {
                int prefix = 0;
                for (String in : n.getInputList()) {
                    for (int o : at.getOrDefault(in, List.of())) {
                        out.add(prefix + o);
                    }
                    float[] c = channels.get(in);
                    if (c == null) {
                        return null;
                    }
                    prefix += c.length;
                }
            } else {
                out.addAll(at.getOrDefault(n.getInput(0), List.of()));
            }
            at.put(n.getOutput(0), out);
        }
        return at;
    }

    /** A Conv whose weights (and bias, if any) are constants that no other node reads. */
    private static boolean ownsConstants(GraphEditor g, NodeProto conv, Map<String, List<NodeProto>> readers) {
        for (int i = 1; i < conv.getInputCount(); i++) {
            String name = conv.getInput(i);
            if (!name.isEmpty() && (g.initializer(name) == null || readers.getOrDefault(name, List.of()).size() != 1)) {
                return false;
            }
        }
        return conv.getInputCount() > 1;
    }

    private static boolean passesChannels(NodeProto n) {
        if (n.getOpType().equals("Concat")) {
            return GraphEditor.intAttribute(n, "axis", 0) == 1;
        }
        return n.getOutputCount() == 1 || n.getOutput(1).isEmpty();
    }

    private static boolean isConv(NodeProto n) {
        return n.getOpType().equals("Conv") && GraphEditor.normalDomain(n.getDomain()).isEmpty();
    }

    /** Output channel c of the source: weights [Cout, ...] and bias [Cout] times factor[c]. */
    private static void scaleOutputs(GraphEditor g, NodeProto conv, float[] factor) {
        TensorProto w = g.initializer(conv.getInput(1));
        float[] weights = Tensors.floats(w);
        int per = weights.length / factor.length;
        for (int i = 0; i < weights.length; i++) {
            weights[i] *= factor[i / per];
        }
        g.replaceInitializer(Tensors.floatTensor(w.getName(), weights, Tensors.dims(w)));
        if (conv.getInputCount() > 2 && !conv.getInput(2).isEmpty()) {
            TensorProto b = g.initializer(conv.getInput(2));
            float[] bias = Tensors.floats(b);
            for (int c = 0; c < bias.length; c++) {
                bias[c] *= factor[c];
            }
            g.replaceInitializer(Tensors.floatTensor(b.getName(), bias, Tensors.dims(b)));
        }
    }

    /** Input channels offset..offset+n of a reading Conv (any group count): their weights divided by factor. */
    private static void scaleInputs(GraphEditor g, NodeProto conv, int offset, float[] factor) {
        TensorProto w = g.initializer(conv.getInput(1));
        long[] dims = Tensors.dims(w);
        float[] weights = Tensors.floats(w);
        int groups = (int) GraphEditor.intAttribute(conv, "group", 1);
        int outChannels = (int) dims[0];
        int inPerGroup = (int) dims[1];
        int outPerGroup = outChannels / groups;
        int kernel = weights.length / (outChannels * inPerGroup);
        for (int c = 0; c < factor.length; c++) {
            int k = offset + c;
            int group = k / inPerGroup;
            int local = k % inPerGroup;
            for (int o = group * outPerGroup; o < (group + 1) * outPerGroup; o++) {
                int base = (o * inPerGroup + local) * kernel;
                for (int i = 0; i < kernel; i++) {
                    weights[base + i] /= factor[c];
                }
            }
        }
        g.replaceInitializer(Tensors.floatTensor(w.getName(), weights, dims));
    }
}
