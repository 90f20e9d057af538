package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.otimo.onnx.GraphBuilder;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites each BatchNormalization that no Conv absorbed into the 1×1 depthwise Conv it equals:
 * weight {@code γ / sqrt(var + ε)} and bias {@code β − mean · weight} per channel. Pre-activation
 * networks (DenseNet, pre-activation ResNet) normalise concatenated or summed feature maps before
 * each Relu; ONNX Runtime has no integer BatchNormalization, so each of them would otherwise leave
 * the integer domain, with a layout transpose on either side. As a Conv it is quantized like the
 * others and its Relu folds into its output range.
 */
final class BatchNormToConv {

    private BatchNormToConv() {
    }

    /** The BatchNormalization nodes this rewrite could take, by the name of their data input. */
    static Set<String> candidateInputs(GraphEditor g) {
        Set<String> out = new LinkedHashSet<>();
        for (NodeProto n : g.nodes) {
            if (convertible(g, n)) {
                out.add(n.getInput(0));
            }
        }
        return out;
    }

    /**
     * Rewrites every convertible node whose input rank is known to be at least 3 (a Conv needs
     * [N, C, spatial...]); returns how many were rewritten.
     *
     * @param ranks the rank of each candidate input, as observed on a sample
     */
    static int apply(GraphEditor g, Map<String, Integer> ranks, Set<String> excludedNodes) {
        int rewritten = 0;
        for (NodeProto bn : List.copyOf(g.nodes)) {
            Integer rank = convertible(g, bn) ? ranks.get(bn.getInput(0)) : null;
            if (rank == null || rank < 3 || excludedNodes.contains(bn.getName())) {
                continue;
            }
            float[] gamma = Tensors.floats(g.initializer(bn.getInput(1)));
            float[] beta = Tensors.floats(g.initializer(bn.getInput(2)));
            float[] mean = Tensors.floats(g.initializer(bn.getInput(3)));
            float[] var = Tensors.floats(g.initializer(bn.getInput(4)));
            float epsilon = GraphEditor.floatAttribute(bn, "epsilon", 1e-5f);
            int channels = gamma.length;
            float[] weight = new float[channels];
            float[] bias = new float[channels];
            for (int c = 0; c < channels; c++) {
                weight[c] = (float) (gamma[c] / Math.sqrt(var[c] + epsilon));
                bias[c] = beta[c] - mean[c] * weight[c];
            }
            long[] kernel = new long[rank - 2];
            Arrays.fill(kernel, 1L);
            long[] weightDims = new long[rank];
            Arrays.fill(weightDims, 1L);
            weightDims[0] = channels;
            String w = g.addInitializer(Tensors.floatTensor(bn.getName() + "_dw_weight", weight, weightDims));
            String b = g.addInitializer(Tensors.floatTensor(bn.getName() + "_dw_bias", bias, channels));
            NodeProto conv = g.newNode("Conv", "", List.of(bn.getInput(0), w, b), List.of(bn.getOutput(0)),
                    GraphBuilder.attr("group", (long) channels), GraphBuilder.attr("kernel_shape", kernel));
            g.replace(bn, conv);
            rewritten++;
        }
        return rewritten;
    }

    /** An inference-mode BatchNormalization with constant, equally long per-channel parameters. */
    private static boolean convertible(GraphEditor g, NodeProto n) {
        if (!n.getOpType().equals("BatchNormalization") || !GraphEditor.normalDomain(n.getDomain()).isEmpty()
                || n.getInputCount() != 5 || GraphEditor.intAttribute(n, "training_mode", 0) != 0) {
            return false;
        }
        for (int k = 1; k < n.getOutputCount(); k++) {
            if (!n.getOutput(k).isEmpty()) {
                return false;
            }
        }
        long channels = -1;
        for (int k = 1; k < 5; k++) {
            TensorProto t = g.initializer(n.getInput(k));
            if (t == null || !Tensors.isFloat(t) || t.getDimsCount() != 1) {
                return false;
            }
            if (channels >= 0 && t.getDims(0) != channels) {
                return false;
            }
            channels = t.getDims(0);
        }
        return channels > 0;
    }
}
