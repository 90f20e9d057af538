package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxJavaType;
import dev.otimo.onnx.GraphBuilder;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code fp32}, the up-cast: published models often store their weights as FLOAT16, with Casts that turn the
 * float32 input into float16 and the outputs back. On a CPU without half-precision kernels ONNX Runtime runs
 * such a graph through Casts of its own, so in float32 it is often faster; and the int8 methods need float32
 * weights to quantize, which is why they apply this first to a model holding FLOAT16 constants.
 *
 * <p>Every FLOAT16 initializer, {@code Constant} and {@code ConstantOfShape} value becomes FLOAT, Casts (and
 * {@code dtype} attributes) to FLOAT16 become FLOAT, and every Cast to FLOAT that then reads a FLOAT tensor is
 * removed, its readers rewired and a graph output keeping its name. The types the graph declares for its
 * inputs and outputs never change: a FLOAT16 input or output keeps a Cast at the boundary.
 */
public final class Fp32UpCast implements Transform {

    public static final String NAME = "fp32";
    private static final int FLOAT = TensorProto.DataType.FLOAT.getNumber();
    private static final int FLOAT16 = TensorProto.DataType.FLOAT16.getNumber();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void check(TransformOptions options, boolean hasCalibration) {
        options.requireOnly(NAME, Set.of());
    }

    @Override
    public TransformResult apply(ModelProto model, TransformOptions options, CalibrationData calibration) {
        check(options, calibration != null && !calibration.isEmpty());
        return upCast(model);
    }

    /** Whether the model stores constants (initializers, Constant or ConstantOfShape values) as FLOAT16. */
    static boolean hasHalfConstants(ModelProto model) {
        for (TensorProto t : model.getGraph().getInitializerList()) {
            if (Tensors.isHalf(t)) {
                return true;
            }
        }
        for (NodeProto n : model.getGraph().getNodeList()) {
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasT() && Tensors.isHalf(a.getT())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The up-cast, with notes saying so, or null when the model holds no FLOAT16 constants. */
    static TransformResult beforeQuantizing(ModelProto model) {
        return hasHalfConstants(model) ? upCast(model) : null;
    }

    static TransformResult upCast(ModelProto model) {
        OnnxModels.requireKnownOperators(model, NAME);
        for (NodeProto n : model.getGraph().getNodeList()) {
            if (GraphEditor.hasSubgraphs(n)) {
                throw new CompressionException(NAME + " does not support control-flow operator " + n.getOpType()
                        + " (node '" + n.getName() + "'); its subgraphs would need converting too");
            }
        }
        GraphEditor g = GraphEditor.of(initializerInputsAsFloat(model));
        int weights = 0;
        for (TensorProto t : List.copyOf(g.initializers.values())) {
            if (Tensors.isHalf(t)) {
                g.replaceInitializer(Tensors.toFloat32(t));
                weights++;
            }
        }
        int retyped = 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            NodeProto n = g.nodes.get(i);
            NodeProto.Builder b = n.toBuilder();
            boolean changed = false;
            for (int a = 0; a < b.getAttributeCount(); a++) {
                AttributeProto attr = b.getAttribute(a);
                boolean typeAttribute = attr.getName().equals("dtype")
                        || attr.getName().equals("to") && n.getOpType().equals("Cast");
                if (typeAttribute && attr.getI() == FLOAT16) {
                    b.setAttribute(a, attr.toBuilder().setI(FLOAT));
                    retyped++;
                    changed = true;
                } else if (attr.hasT() && Tensors.isHalf(attr.getT())) {
                    b.setAttribute(a, attr.toBuilder().setT(Tensors.toFloat32(attr.getT())));
                    weights++;
                    changed = true;
                }
            }
            if (changed) {
                g.nodes.set(i, b.build());
            }
        }
        int boundary = keepDeclaredTypes(g);
        if (weights == 0 && retyped == 0) {
            throw new CompressionException(NAME + " found no FLOAT16 weights or Casts to FLOAT16 in model '"
                    + model.getGraph().getName() + "'; it already computes in float32");
        }
        GraphEditor cleaned = GraphEditor.of(g.build());
        int removed = removeRedundantCasts(cleaned);
        ModelProto result = cleaned.build();
        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put("convertedWeights", weights);
        extras.put("retypedCasts", retyped);
        extras.put("removedCasts", removed);
        extras.put("boundaryCasts", boundary);
        List<String> notes = List.of("up-cast " + weights + " FLOAT16 constant tensors to float32 and removed "
                + removed + " Casts that became redundant" + (boundary > 0 ? "; " + boundary
                + " Casts kept where the graph declares a FLOAT16 input or output" : "")
                + "; the graph's inputs and outputs keep their declared types");
        return new TransformResult(result, extras, notes);
    }

    /** IR < 4 models list initializers among the graph inputs too, declared with the initializer's type. */
    private static ModelProto initializerInputsAsFloat(ModelProto model) {
        Set<String> constants = new HashSet<>();
        model.getGraph().getInitializerList().forEach(t -> constants.add(t.getName()));
        ModelProto.Builder m = model.toBuilder();
        GraphProto.Builder graph = m.getGraphBuilder();
        for (int i = 0; i < graph.getInputCount(); i++) {
            ValueInfoProto in = graph.getInput(i);
            if (constants.contains(in.getName()) && in.getType().getTensorType().getElemType() == FLOAT16) {
                graph.setInput(i, retype(in, FLOAT));
            }
        }
        return m.build();
    }

    private static ValueInfoProto retype(ValueInfoProto v, int elemType) {
        ValueInfoProto.Builder b = v.toBuilder();
        b.getTypeBuilder().getTensorTypeBuilder().setElemType(elemType);
        return b.build();
    }

    /**
     * A FLOAT16 graph input gets a Cast to float for its readers; a FLOAT16 graph output is computed in
     * float under a new name and cast back under its own. Returns the Casts added.
     */
    private static int keepDeclaredTypes(GraphEditor g) {
        int casts = 0;
        Set<String> constants = g.initializers.keySet();
        for (ValueInfoProto in : g.model().getGraph().getInputList()) {
            if (!constants.contains(in.getName()) && in.getType().getTensorType().getElemType() == FLOAT16) {
                String asFloat = g.fresh(in.getName() + "_fp32");
                g.rewire(in.getName(), asFloat, Set.of());
                g.add("Cast", List.of(in.getName()), List.of(asFloat), GraphBuilder.attr("to", (long) FLOAT));
                casts++;
            }
        }
        for (ValueInfoProto out : g.model().getGraph().getOutputList()) {
            if (out.getType().getTensorType().getElemType() == FLOAT16 && g.producer(out.getName()) != null) {
                String asFloat = g.fresh(out.getName() + "_fp32");
                g.rename(out.getName(), asFloat);
                g.add("Cast", List.of(asFloat), List.of(out.getName()), GraphBuilder.attr("to", (long) FLOAT16));
                casts++;
            }
        }
        return casts;
    }

    /** Removes every Cast to FLOAT whose input is already FLOAT; returns how many. */
    private static int removeRedundantCasts(GraphEditor g) {
        Map<String, OnnxJavaType> types = TensorTypes.infer(g.build());
        Set<String> outputs = g.graphOutputNames();
        Set<String> inputs = new HashSet<>(g.graphInputNames());
        int removed = 0;
        NodeProto cast;
        while ((cast = nextRedundantCast(g, types, outputs)) != null) {
            String in = cast.getInput(0);
            String out = cast.getOutput(0);
            if (!outputs.contains(out)) {
                g.remove(cast);
                g.rewire(out, in, Set.of());
            } else if (g.producer(in) != null && !outputs.contains(in) && !inputs.contains(in)) {
                // The producer writes the graph output's name directly.
                g.remove(cast);
                g.rename(in, out);
            } else {
                // A graph input or constant passed straight to an output: a copy is still needed.
                g.replace(cast, g.newNode("Identity", "", List.of(in), List.of(out)));
            }
            removed++;
        }
        return removed;
    }

    private static NodeProto nextRedundantCast(GraphEditor g, Map<String, OnnxJavaType> types, Set<String> outputs) {
        for (NodeProto n : g.nodes) {
            if (n.getOpType().equals("Cast") && GraphEditor.normalDomain(n.getDomain()).isEmpty()
                    && GraphEditor.intAttribute(n, "to", 0) == FLOAT && types.get(n.getInput(0)) == OnnxJavaType.FLOAT) {
                return n;
            }
        }
        return null;
    }

    /**
     * The model an int8 method quantizes: {@code model} itself, or its up-cast when its weights are
     * FLOAT16, which the method's notes and extras ({@code upCast}) then record.
     */
    static ModelProto forQuantizing(ModelProto model, java.util.List<String> notes, java.util.Map<String, Object> extras) {
        TransformResult upCast = beforeQuantizing(model);
        if (upCast == null) {
            return model;
        }
        notes.add("the weights were FLOAT16: " + upCast.notes().get(0) + ", then quantized");
        extras.put("upCast", upCast.extras());
        return upCast.model();
    }
}
