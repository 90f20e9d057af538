package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.otimo.onnx.GraphBuilder;
import dev.otimo.runtime.CpuFeatures;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code int8-static}: QDQ quantization with activation ranges measured on calibration samples.
 * QuantizeLinear/DequantizeLinear pairs are placed on the activations around Conv, MatMul, Gemm,
 * Add, Mul, pooling and Concat nodes, and constant weights are stored as int8 with a
 * DequantizeLinear; ONNX Runtime fuses these patterns into integer kernels (QLinearConv,
 * QLinearMatMul, QGemm, QLinearAdd, ...) when it loads the model.
 *
 * <p>Activations are uint8, asymmetric; weights int8, symmetric, per output channel by default;
 * biases int32 at the scale input scale × weight scale. A Relu or Clip right after a quantized node
 * is folded into the range of that node's output. Before quantizing, the model goes through ONNX
 * Runtime's basic graph optimizations (constant folding, BatchNormalization folded into Conv) and,
 * where needed, an upgrade to opset 13, which per-channel DequantizeLinear requires.
 */
public final class Int8StaticQuantization implements Transform {

    public static final String NAME = "int8-static";
    static final Set<String> OPTIONS = Set.of("calibrationMethod", "percentile", "perChannel", "ops",
            "excludeNodes", WeightQuantizer.OPTION, "equalizeChannels");
    public static final List<String> DEFAULT_OPS = List.of("Conv", "MatMul", "Gemm", "Add", "Mul", "AveragePool",
            "GlobalAveragePool", "Concat", "Sigmoid", "LeakyRelu", "MaxPool", "Resize", "Reshape", "Flatten",
            "Transpose", "Squeeze", "Unsqueeze");
    /**
     * Operators that only move or select values: ONNX Runtime runs them on the quantized data when the
     * input and output share quantization parameters, so they are quantized only where their input
     * already is.
     */
    private static final Set<String> SAME_SCALE_OPS = Set.of("MaxPool", "Resize", "Reshape", "Flatten",
            "Transpose", "Squeeze", "Unsqueeze");
    private static final Set<String> CONTROL_FLOW = Set.of("If", "Loop", "Scan");
    /** The operators whose skipping a report must call out: they hold the weights and the work. */
    private static final Set<String> WEIGHTED_OPS = new java.util.TreeSet<>(Set.of("Conv", "Gemm", "MatMul"));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void check(TransformOptions options, boolean hasCalibration) {
        options.requireOnly(NAME, OPTIONS);
        options.getChoice("calibrationMethod", "minmax", Set.of("minmax", "percentile"));
        double percentile = options.getDouble("percentile", 99.999);
        if (!(percentile > 90 && percentile <= 100)) {
            throw new CompressionException("percentile must be above 90 and at most 100, got " + percentile);
        }
        options.getBoolean("perChannel", true);
        options.getChoice(WeightQuantizer.OPTION, "auto", WeightQuantizer.RANGES);
        options.getBoolean("equalizeChannels", true);
        for (String op : options.getStringList("ops", DEFAULT_OPS)) {
            if (!DEFAULT_OPS.contains(op)) {
                throw new CompressionException(NAME + " cannot quantize operator " + op + "; supported: "
                        + String.join(", ", DEFAULT_OPS));
            }
        }
        options.getStringList("excludeNodes", List.of());
        if (!hasCalibration) {
            throw new CompressionException(NAME + " needs calibration data: send calibration samples (source"
                    + " 'upload') or let the model receive traffic first (source 'traffic'); int8-dynamic needs none");
        }
    }

    @Override
    public void checkModel(ModelProto model, String floatParent) {
        QuantizedOperators.refuse(model, NAME, floatParent);
    }

    @Override
    public TransformResult apply(ModelProto model, TransformOptions options, CalibrationData calibration) {
        check(options, calibration != null && !calibration.isEmpty());
        QuantizedOperators.refuse(model, NAME, null);
        String method = options.getChoice("calibrationMethod", "minmax", Set.of("minmax", "percentile"));
        double percentile = options.getDouble("percentile", 99.999);
        boolean perChannel = options.getBoolean("perChannel", true);
        WeightQuantizer.Range range = WeightQuantizer.Range.of(options, CpuFeatures.host());
        Set<String> ops = new LinkedHashSet<>(options.getStringList("ops", DEFAULT_OPS));
        Set<String> excluded = Set.copyOf(options.getStringList("excludeNodes", List.of()));
        OnnxModels.requireKnownOperators(model, NAME);
        for (NodeProto n : model.getGraph().getNodeList()) {
            if (CONTROL_FLOW.contains(n.getOpType())) {
                throw new CompressionException(NAME + " does not support control-flow operator " + n.getOpType()
                        + " (node '" + n.getName() + "')");
            }
        }

        List<String> notes = new ArrayList<>();
        Map<String, Object> extras = new LinkedHashMap<>();
        model = Fp32UpCast.forQuantizing(model, notes, extras);
        // Equalizing moves each channel's range into the weights, which per-channel weight scales absorb and one
        // scale per tensor would not: by default it follows perChannel.
        boolean equalize = options.getBoolean("equalizeChannels", perChannel);
        Prepared ready = prepare(model, calibration, ops.contains("Conv"), equalize, excluded);
        ModelProto prepared = ready.model();
        Map<String, OnnxJavaType> types = TensorTypes.infer(prepared);
        GraphEditor g = GraphEditor.of(prepared);
        OperatorTally tally = new OperatorTally();
        Plan plan = plan(g, types, ops, excluded, tally);
        if (plan.nodes.isEmpty()) {
            String left = tally.skippedNote(WEIGHTED_OPS);
            throw new CompressionException(NAME + " found nothing to quantize in model '" + model.getGraph().getName()
                    + "': no " + String.join("/", ops) + " node with float activations and constant weights"
                    + (left == null ? "" : " (" + left + ")"));
        }
        Map<String, ActivationCalibrator.Range> ranges = ActivationCalibrator.calibrate(prepared,
                plan.calibrated(), calibration, method, percentile);
        Map<String, QParams> params = activationParams(g, plan, ranges);
        Rewriter rewriter = new Rewriter(g, params, perChannel, range.qmax());
        rewriter.rewrite(plan);
        g.requireOpset("", 13);

        Map<String, Integer> counts = new TreeMap<>();
        plan.nodes.forEach(n -> counts.merge(n.getOpType(), 1, Integer::sum));
        extras.put("quantizedNodes", counts);
        extras.put("foldedActivations", plan.folded.size());
        extras.put("quantizedTensors", params.size());
        extras.put("calibrationMethod", method);
        extras.put("calibrationSamples", calibration.size());
        extras.put("perChannel", perChannel);
        extras.put("weightRange", range.applied());
        extras.put("equalizedConvs", ready.equalizedConvs());
        extras.put("operators", tally.asMap());
        notes.add("QDQ int8 quantization of " + counts + "; uint8 asymmetric activations, int8 symmetric weights "
                + (perChannel ? "per output channel" : "per tensor") + ", int32 biases");
        String left = tally.skippedNote(WEIGHTED_OPS);
        if (left != null) {
            notes.add(left);
        }
        notes.add("activation ranges from " + calibration.size() + " " + calibration.source() + " samples ("
                + method + (method.equals("percentile") ? " " + percentile : "") + ")");
        notes.add(range.note());
        if (ready.equalizedConvs() > 0) {
            notes.add("output channels of " + ready.equalizedConvs() + " Convs scaled to a common range (the Convs"
                    + " reading them compensate), so one activation scale per tensor suits every channel");
        }
        notes.add("ONNX Runtime fuses the QDQ pairs into integer kernels when it loads the model");
        return new TransformResult(g.build(), extras, notes);
    }

    /**
     * Basic ONNX Runtime optimizations (folds BatchNormalization into Conv), opset 13, hard-swish chains
     * turned into HardSwish nodes (opset 14) and, when Conv is quantized, the BatchNormalization nodes left
     * over turned into depthwise 1×1 Convs and the channels between Convs equalized.
     */
    private static Prepared prepare(ModelProto model, CalibrationData calibration, boolean convs, boolean equalize,
            Set<String> excluded) {
        ModelProto optimized = GraphOptimization.optimize(model, OptLevel.BASIC_OPT);
        GraphEditor g = GraphEditor.of(optimized);
        OpsetUpgrade.to(g, 13, NAME);
        if (HardSwishFusion.apply(g) > 0) {
            OpsetUpgrade.to(g, 14, NAME);
        }
        Set<String> batchNormInputs = convs ? BatchNormToConv.candidateInputs(g) : Set.of();
        if (!batchNormInputs.isEmpty()) {
            ModelProto current = g.build();
            g = GraphEditor.of(current);
            BatchNormToConv.apply(g, ActivationCalibrator.ranks(current, batchNormInputs, calibration), excluded);
        }
        int equalized = convs && equalize ? ChannelEqualization.apply(g, calibration) : 0;
        return new Prepared(g.build(), equalized);
    }

    /** The model ready to quantize, and how many Convs had their output channels equalized. */
    private record Prepared(ModelProto model, int equalizedConvs) {
    }

    /** Which nodes to quantize, which activations to fold into them, and the tensors to calibrate. */
    private static final class Plan {
        final List<NodeProto> nodes = new ArrayList<>();
        /** activation node -> the quantized node it is folded into */
        final Map<NodeProto, NodeProto> folded = new java.util.IdentityHashMap<>();
        /** tensors that get a Q/DQ pair */
        final Set<String> tensors = new LinkedHashSet<>();
        /** tensor -> the Clip bounds to intersect its range with */
        final Map<String, float[]> clipBounds = new HashMap<>();
        /** output tensor -> input tensor whose parameters it must share */
        final Map<String, String> sameAs = new HashMap<>();

        Set<String> calibrated() {
            return tensors;
        }
    }

    private static Plan plan(GraphEditor g, Map<String, OnnxJavaType> types, Set<String> ops, Set<String> excluded,
            OperatorTally tally) {
        Plan plan = new Plan();
        Map<String, List<NodeProto>> readers = g.consumerIndex();
        Set<String> graphOutputs = g.graphOutputNames();
        List<NodeProto> left = new ArrayList<>();
        for (NodeProto n : g.nodes) {
            String op = n.getOpType();
            if (!DEFAULT_OPS.contains(op) || !GraphEditor.normalDomain(n.getDomain()).isEmpty()) {
                left.add(n);
                continue;
            }
            if (!ops.contains(op)) {
                tally.skipped(op, "not in the ops option");
                continue;
            }
            if (excluded.contains(n.getName())) {
                tally.skipped(op, "excluded by excludeNodes");
                continue;
            }
            String reason = unquantizable(g, n, types);
            if (reason != null) {
                tally.skipped(op, reason);
                continue;
            }
            if (SAME_SCALE_OPS.contains(op) && !plan.tensors.contains(n.getInput(0))) {
                tally.skipped(op, "input not quantized (it only moves values, so it follows its input)");
                continue;
            }
            tally.transformed(op);
            plan.nodes.add(n);
            for (String in : activationInputs(g, n)) {
                plan.tensors.add(in);
            }
            String out = n.getOutput(0);
            List<NodeProto> next = readers.getOrDefault(out, List.of());
            if (next.size() == 1 && !graphOutputs.contains(out) && foldable(g, next.get(0))) {
                NodeProto act = next.get(0);
                plan.folded.put(act, n);
                out = act.getOutput(0);
                if (act.getOpType().equals("Clip")) {
                    plan.clipBounds.put(out, clipBounds(g, act));
                } else {
                    plan.clipBounds.put(out, new float[] {0f, Float.MAX_VALUE});
                }
            }
            boolean floatOutputKernel = n.getOpType().equals("Gemm") || n.getOpType().equals("MatMul");
            if (!(floatOutputKernel && graphOutputs.contains(out))) {
                // QGemm and MatMulIntegerToFloat can return float, so a model output stays unquantized.
                plan.tensors.add(out);
            }
            if (SAME_SCALE_OPS.contains(n.getOpType())) {
                plan.sameAs.put(out, n.getInput(0));
            }
        }
        for (NodeProto n : left) {
            tally.skipped(n.getOpType(), plan.folded.containsKey(n)
                    ? "folded into the output range of the quantized node before it"
                    : "operator not quantized by this method");
        }
        return plan;
    }

    /** Why a node cannot be quantized, or null when it can. */
    private static String unquantizable(GraphEditor g, NodeProto n, Map<String, OnnxJavaType> types) {
        OnnxJavaType outType = types.get(n.getOutput(0));
        if (outType != OnnxJavaType.FLOAT) {
            return "output is " + outType + ", not float";
        }
        switch (n.getOpType()) {
            case "Conv", "MatMul", "Gemm" -> {
                if (n.getOpType().equals("Gemm") && GraphEditor.intAttribute(n, "transA", 0) != 0) {
                    return "unsupported attribute transA=1";
                }
                if (g.isInitializer(n.getInput(0)) || types.get(n.getInput(0)) != OnnxJavaType.FLOAT) {
                    return "input is a constant or not float";
                }
                TensorProto w = g.initializer(n.getInput(1));
                if (n.getOpType().equals("MatMul") && w == null) {
                    return types.get(n.getInput(1)) == OnnxJavaType.FLOAT ? null : "second input is not float";
                }
                String type = Tensors.weightTypeProblem(w);
                if (type != null) {
                    return type;
                }
                if (w.getDimsCount() < 2 || n.getOpType().equals("MatMul") && w.getDimsCount() != 2) {
                    return "weights of unsupported rank " + w.getDimsCount();
                }
                if (n.getOpType().equals("Gemm") && n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
                    TensorProto c = g.initializer(n.getInput(2));
                    long cols = GraphEditor.intAttribute(n, "transB", 0) != 0 ? w.getDims(0) : w.getDims(1);
                    if (GraphEditor.floatAttribute(n, "beta", 1f) != 1f) {
                        return "unsupported attribute beta != 1";
                    }
                    return c != null && Tensors.isFloat(c) && c.getDimsCount() == 1 && c.getDims(0) == cols ? null
                            : "bias not a constant float [N] vector";
                }
                if (n.getOpType().equals("Conv") && n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
                    TensorProto b = g.initializer(n.getInput(2));
                    return b != null && Tensors.isFloat(b) ? null : "bias not a constant float vector";
                }
                return null;
            }
            case "MaxPool", "Resize", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze" -> {
                return n.getOutputCount() == 1 || n.getOutput(1).isEmpty() ? null : "second output is used";
            }
            default -> {
                for (String in : n.getInputList()) {
                    if (in.isEmpty() || g.isInitializer(in) || types.get(in) != OnnxJavaType.FLOAT) {
                        return "an input is constant, missing or not float";
                    }
                }
                return null;
            }
        }
    }

    private static List<String> activationInputs(GraphEditor g, NodeProto n) {
        return switch (n.getOpType()) {
            case "Conv", "Gemm" -> List.of(n.getInput(0));
            case "MatMul" -> g.isInitializer(n.getInput(1)) ? List.of(n.getInput(0)) : n.getInputList();
            case "MaxPool", "Resize", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze" -> List.of(n.getInput(0));
            default -> n.getInputList();
        };
    }

    private static boolean foldable(GraphEditor g, NodeProto act) {
        if (!GraphEditor.normalDomain(act.getDomain()).isEmpty()) {
            return false;
        }
        if (act.getOpType().equals("Relu")) {
            return true;
        }
        if (!act.getOpType().equals("Clip")) {
            return false;
        }
        for (int i = 1; i < act.getInputCount(); i++) {
            String bound = act.getInput(i);
            if (!bound.isEmpty() && (!g.isInitializer(bound) || Tensors.elementCount(g.initializer(bound)) != 1)) {
                return false;
            }
        }
        return true;
    }

    private static float[] clipBounds(GraphEditor g, NodeProto clip) {
        float lo = clip.getInputCount() > 1 && !clip.getInput(1).isEmpty()
                ? Tensors.floats(g.initializer(clip.getInput(1)))[0] : -Float.MAX_VALUE;
        float hi = clip.getInputCount() > 2 && !clip.getInput(2).isEmpty()
                ? Tensors.floats(g.initializer(clip.getInput(2)))[0] : Float.MAX_VALUE;
        return new float[] {lo, hi};
    }

    /** Scale and zero point of one uint8 activation tensor. */
    record QParams(float scale, int zeroPoint) {

        static QParams of(float min, float max) {
            float lo = Math.min(0f, min);
            float hi = Math.max(0f, max);
            if (!(hi > lo) || !Float.isFinite(lo) || !Float.isFinite(hi)) {
                return new QParams(1f, 0);
            }
            float scale = (hi - lo) / 255f;
            int zp = (int) Math.round(-lo / scale);
            return new QParams(scale, Math.max(0, Math.min(255, zp)));
        }
    }

    /**
     * The parameters of each quantized tensor: from its calibrated range, narrowed by a folded Relu or Clip.
     * Tensors that must share parameters share the union of their ranges: the output of a same-scale
     * operator and its input, and every input and the output of a Concat (ONNX Runtime then copies the
     * inputs instead of requantizing each, which matters in DenseNet-style blocks that concatenate every
     * earlier feature map again at each layer).
     */
    private static Map<String, QParams> activationParams(GraphEditor g, Plan plan,
            Map<String, ActivationCalibrator.Range> ranges) {
        // A same-scale operator's output lies within its input's values, so a folded activation's bounds
        // hold for it too; keeping them keeps input and output parameters equal, which the integer kernel needs.
        for (int pass = 0; pass < plan.sameAs.size(); pass++) {
            for (Map.Entry<String, String> e : plan.sameAs.entrySet()) {
                float[] clip = plan.clipBounds.get(e.getValue());
                if (clip != null) {
                    plan.clipBounds.putIfAbsent(e.getKey(), clip);
                }
            }
        }
        Map<String, float[]> bounds = new LinkedHashMap<>();
        for (String t : plan.tensors) {
            ActivationCalibrator.Range r = ranges.get(t);
            if (r == null) {
                throw new CompressionException("calibration produced no values for tensor '" + t + "'; check that"
                        + " the calibration samples name every model input");
            }
            float lo = r.min();
            float hi = r.max();
            float[] clip = plan.clipBounds.get(t);
            if (clip != null) {
                lo = Math.max(lo, clip[0]);
                hi = Math.min(hi, clip[1]);
            }
            bounds.put(t, new float[] {lo, hi});
        }
        Map<String, String> group = new HashMap<>();
        plan.sameAs.forEach((out, in) -> union(group, out, in));
        for (NodeProto n : plan.nodes) {
            if (n.getOpType().equals("Concat")) {
                for (String in : n.getInputList()) {
                    union(group, n.getOutput(0), in);
                }
            }
        }
        Map<String, float[]> groupBounds = new HashMap<>();
        bounds.forEach((t, b) -> groupBounds.merge(find(group, t), b.clone(),
                (x, y) -> new float[] {Math.min(x[0], y[0]), Math.max(x[1], y[1])}));
        Map<String, QParams> params = new LinkedHashMap<>();
        for (String t : plan.tensors) {
            float[] b = groupBounds.get(find(group, t));
            float[] clip = plan.clipBounds.get(t);
            // A folded Relu or Clip exists only as the range of its output, so that range keeps its bounds
            // even where the group's is wider; ONNX Runtime then requantizes at the boundary.
            params.put(t, clip == null ? QParams.of(b[0], b[1])
                    : QParams.of(Math.max(b[0], clip[0]), Math.min(b[1], clip[1])));
        }
        return params;
    }

    private static String find(Map<String, String> parent, String t) {
        String root = t;
        while (parent.containsKey(root)) {
            root = parent.get(root);
        }
        return root;
    }

    private static void union(Map<String, String> parent, String a, String b) {
        String ra = find(parent, a);
        String rb = find(parent, b);
        if (!ra.equals(rb)) {
            parent.put(ra, rb);
        }
    }

    /** Applies the plan to the graph: folds activations, inserts Q/DQ pairs, quantizes weights and biases. */
    private static final class Rewriter {
        private final GraphEditor g;
        private final Map<String, QParams> params;
        private final boolean perChannel;
        private final int qmax;
        private final Map<String, String> dequantizedWeights = new HashMap<>();
        /** dequantized name -> original name, for graph inputs (other tensors keep their name) */
        private final Map<String, String> renamedInputs = new HashMap<>();

        Rewriter(GraphEditor g, Map<String, QParams> params, boolean perChannel, int qmax) {
            this.g = g;
            this.params = params;
            this.perChannel = perChannel;
            this.qmax = qmax;
        }

        void rewrite(Plan plan) {
            for (Map.Entry<NodeProto, NodeProto> e : plan.folded.entrySet()) {
                NodeProto act = e.getKey();
                NodeProto producer = current(e.getValue());
                g.remove(act);
                g.replace(producer, producer.toBuilder().setOutput(0, act.getOutput(0)).build());
            }
            Set<String> graphInputs = new java.util.HashSet<>(g.graphInputNames());
            for (String t : params.keySet()) {
                insertQdq(t, params.get(t), graphInputs.contains(t));
            }
            for (NodeProto planned : plan.nodes) {
                NodeProto n = current(planned);
                switch (n.getOpType()) {
                    case "Conv" -> quantizeWeights(n, 0);
                    case "MatMul" -> {
                        if (g.isInitializer(n.getInput(1))) {
                            quantizeWeights(n, 1);
                        }
                    }
                    case "Gemm" -> quantizeWeights(n, GraphEditor.intAttribute(n, "transB", 0) != 0 ? 0 : 1);
                    default -> {
                    }
                }
            }
        }

        /** The node now in the graph that was planned as {@code planned} (it may have been rewritten). */
        private NodeProto current(NodeProto planned) {
            for (NodeProto n : g.nodes) {
                if (n.getName().equals(planned.getName()) && n.getOpType().equals(planned.getOpType())) {
                    return n;
                }
            }
            throw new IllegalStateException("node " + planned.getName() + " vanished");
        }

        private void insertQdq(String tensor, QParams p, boolean graphInput) {
            String scale = g.addInitializer(Tensors.scalarFloat(tensor + "_scale", p.scale()));
            String zp = g.addInitializer(Tensors.uint8Tensor(tensor + "_zero_point",
                    new byte[] {(byte) p.zeroPoint()}));
            String quantized = g.fresh(tensor + "_quantized");
            if (graphInput) {
                String dequantized = g.fresh(tensor + "_dequantized");
                NodeProto q = g.add("QuantizeLinear", List.of(tensor, scale, zp), List.of(quantized));
                g.rewire(tensor, dequantized, Set.of(q));
                g.add("DequantizeLinear", List.of(quantized, scale, zp), List.of(dequantized));
                renamedInputs.put(dequantized, tensor);
            } else {
                // The producer writes a new name; the DequantizeLinear takes over the tensor's own name, so
                // every reader (and a graph output of that name) sees the quantized value unchanged.
                String raw = g.fresh(tensor + "_float");
                NodeProto producer = g.producer(tensor);
                NodeProto.Builder b = producer.toBuilder();
                for (int k = 0; k < b.getOutputCount(); k++) {
                    if (b.getOutput(k).equals(tensor)) {
                        b.setOutput(k, raw);
                    }
                }
                g.replace(producer, b.build());
                g.add("QuantizeLinear", List.of(raw, scale, zp), List.of(quantized));
                g.add("DequantizeLinear", List.of(quantized, scale, zp), List.of(tensor));
            }
        }

        /** Weight to int8 (+ DequantizeLinear) and, when present, bias to int32 at scale x_scale * w_scale. */
        private void quantizeWeights(NodeProto n, int axis) {
            String weight = n.getInput(1);
            TensorProto w = g.initializer(weight);
            long[] dims = Tensors.dims(w);
            WeightQuantizer.Quantized q = WeightQuantizer.symmetric(Tensors.floats(w), dims, perChannel ? axis : -1,
                    qmax);
            String key = weight + "@" + (perChannel ? axis : -1);
            String dq = dequantizedWeights.get(key);
            if (dq == null) {
                dq = dequantize(weight, Tensors.int8Tensor(weight + "_int8", q.values(), dims), q.scales(),
                        TensorProto.DataType.INT8, axis);
                dequantizedWeights.put(key, dq);
            }
            NodeProto.Builder b = n.toBuilder().setInput(1, dq);
            if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
                QParams x = params.get(originalActivation(n.getInput(0)));
                if (x != null) {
                    float[] bias = Tensors.floats(g.initializer(n.getInput(2)));
                    float[] scales = new float[q.scales().length];
                    int[] values = new int[bias.length];
                    for (int i = 0; i < bias.length; i++) {
                        float s = x.scale() * q.scales()[q.scales().length == 1 ? 0 : i];
                        scales[q.scales().length == 1 ? 0 : i] = s;
                        values[i] = (int) Math.max(Integer.MIN_VALUE + 1L,
                                Math.min(Integer.MAX_VALUE, Math.round(bias[i] / (double) s)));
                    }
                    String bq = dequantize(n.getInput(2),
                            Tensors.int32Tensor(n.getInput(2) + "_int32", values, bias.length), scales,
                            TensorProto.DataType.INT32, 0);
                    b.setInput(2, bq);
                }
            }
            g.replace(n, b.build());
        }

        private String originalActivation(String name) {
            return renamedInputs.getOrDefault(name, name);
        }

        private String dequantize(String base, TensorProto quantized, float[] scales, TensorProto.DataType type,
                int axis) {
            String values = g.addInitializer(quantized);
            boolean perAxis = scales.length > 1;
            String scale = perAxis
                    ? g.addInitializer(Tensors.floatTensor(base + "_scale", scales, scales.length))
                    : g.addInitializer(Tensors.scalarFloat(base + "_scale", scales[0]));
            TensorProto zeros = type == TensorProto.DataType.INT8
                    ? (perAxis ? Tensors.int8Tensor(base + "_zero_point", new byte[scales.length], scales.length)
                            : Tensors.int8Tensor(base + "_zero_point", new byte[1]))
                    : (perAxis ? Tensors.int32Tensor(base + "_zero_point", new int[scales.length], scales.length)
                            : Tensors.int32Tensor(base + "_zero_point", new int[1]));
            String zp = g.addInitializer(zeros);
            String out = g.fresh(base + "_dequantized");
            if (perAxis) {
                g.add("DequantizeLinear", List.of(values, scale, zp), List.of(out),
                        GraphBuilder.attr("axis", (long) axis));
            } else {
                g.add("DequantizeLinear", List.of(values, scale, zp), List.of(out));
            }
            return out;
        }
    }
}
