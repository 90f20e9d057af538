package dev.otimo.compression;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A mutable view of a model's main graph for transforms: nodes in a list, constants by name, fresh
 * names on demand. {@link #build()} sorts the nodes topologically, drops constants nobody reads and
 * clears intermediate value infos (ONNX Runtime infers them again), so transforms may add nodes in
 * any order and change element types freely.
 */
final class GraphEditor {

    static final String MS_DOMAIN = "com.microsoft";

    private final ModelProto model;
    final List<NodeProto> nodes;
    final Map<String, TensorProto> initializers;
    private final Set<String> originalInitializers;
    private final Set<String> usedNames = new HashSet<>();
    private final Map<String, Long> opsets = new LinkedHashMap<>();
    private int counter;

    private GraphEditor(ModelProto model) {
        this.model = model;
        GraphProto g = model.getGraph();
        this.nodes = new ArrayList<>();
        this.initializers = new LinkedHashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        for (NodeProto n : g.getNodeList()) {
            if (isPlainConstant(n)) {
                // Constant nodes holding a tensor are initializers in all but name; treating them alike
                // lets every transform find weights in one place.
                TensorProto value = n.getAttribute(0).getT().toBuilder().setName(n.getOutput(0)).build();
                initializers.put(n.getOutput(0), value);
            } else {
                nodes.add(n);
            }
        }
        this.originalInitializers = new HashSet<>(initializers.keySet());
        collectNames(g);
        // Transforms find nodes again by name, so every node gets a unique one.
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            if (n.getName().isEmpty() || !seen.add(n.getName())) {
                NodeProto renamed = n.toBuilder().setName(fresh(n.getOpType().toLowerCase())).build();
                nodes.set(i, renamed);
                seen.add(renamed.getName());
            }
        }
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            opsets.put(normalDomain(o.getDomain()), o.getVersion());
        }
    }

    static GraphEditor of(ModelProto model) {
        return new GraphEditor(model);
    }

    private static boolean isPlainConstant(NodeProto n) {
        return n.getOpType().equals("Constant") && normalDomain(n.getDomain()).isEmpty()
                && n.getAttributeCount() == 1 && n.getAttribute(0).getName().equals("value")
                && n.getAttribute(0).hasT() && n.getOutputCount() == 1;
    }

    static String normalDomain(String domain) {
        return domain.equals("ai.onnx") ? "" : domain;
    }

    private void collectNames(GraphProto g) {
        for (NodeProto n : g.getNodeList()) {
            usedNames.add(n.getName());
            usedNames.addAll(n.getInputList());
            usedNames.addAll(n.getOutputList());
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collectNames(a.getG());
                }
                a.getGraphsList().forEach(this::collectNames);
            }
        }
        g.getInputList().forEach(v -> usedNames.add(v.getName()));
        g.getOutputList().forEach(v -> usedNames.add(v.getName()));
        g.getInitializerList().forEach(t -> usedNames.add(t.getName()));
    }

    ModelProto model() {
        return model;
    }

    long opset(String domain) {
        return opsets.getOrDefault(normalDomain(domain), 0L);
    }

    void requireOpset(String domain, long version) {
        opsets.merge(normalDomain(domain), version, Math::max);
    }

    void setOpset(String domain, long version) {
        opsets.put(normalDomain(domain), version);
    }

    /** A name not used anywhere in the model, derived from {@code base}. */
    String fresh(String base) {
        String candidate = base;
        while (usedNames.contains(candidate)) {
            candidate = base + "_" + counter++;
        }
        usedNames.add(candidate);
        return candidate;
    }

    boolean isInitializer(String name) {
        return initializers.containsKey(name);
    }

    TensorProto initializer(String name) {
        return initializers.get(name);
    }

    /** Adds a constant under a fresh name derived from the tensor's own name; returns that name. */
    String addInitializer(TensorProto tensor) {
        String name = fresh(tensor.getName());
        initializers.put(name, tensor.toBuilder().setName(name).build());
        return name;
    }

    void replaceInitializer(TensorProto tensor) {
        initializers.put(tensor.getName(), tensor);
    }

    List<String> graphInputNames() {
        return model.getGraph().getInputList().stream().map(ValueInfoProto::getName)
                .filter(n -> !originalInitializers.contains(n)).toList();
    }

    Set<String> graphOutputNames() {
        Set<String> out = new HashSet<>();
        model.getGraph().getOutputList().forEach(v -> out.add(v.getName()));
        return out;
    }

    List<NodeProto> consumers(String tensor) {
        List<NodeProto> out = new ArrayList<>();
        for (NodeProto n : nodes) {
            if (n.getInputList().contains(tensor)) {
                out.add(n);
            }
        }
        return out;
    }

    /** Consumers by tensor name, computed in one pass; valid until the graph changes. */
    Map<String, List<NodeProto>> consumerIndex() {
        Map<String, List<NodeProto>> index = new HashMap<>();
        for (NodeProto n : nodes) {
            for (String in : new HashSet<>(n.getInputList())) {
                index.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
        }
        return index;
    }

    NodeProto producer(String tensor) {
        for (NodeProto n : nodes) {
            if (n.getOutputList().contains(tensor)) {
                return n;
            }
        }
        return null;
    }

    /** Builds a node with a fresh name; it is not added to the graph. */
    NodeProto newNode(String opType, String domain, List<String> inputs, List<String> outputs,
            AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(fresh(opType.toLowerCase()))
                .addAllInput(inputs).addAllOutput(outputs);
        if (!domain.isEmpty()) {
            n.setDomain(domain);
        }
        n.addAllAttribute(Arrays.asList(attributes));
        return n.build();
    }

    NodeProto add(String opType, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
        NodeProto n = newNode(opType, "", inputs, outputs, attributes);
        nodes.add(n);
        return n;
    }

    NodeProto addIn(String domain, String opType, List<String> inputs, List<String> outputs,
            AttributeProto... attributes) {
        NodeProto n = newNode(opType, domain, inputs, outputs, attributes);
        nodes.add(n);
        return n;
    }

    void remove(NodeProto node) {
        nodes.remove(indexOf(node));
    }

    void replace(NodeProto old, NodeProto replacement) {
        nodes.set(indexOf(old), replacement);
    }

    private int indexOf(NodeProto node) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i) == node) {
                return i;
            }
        }
        throw new IllegalStateException("node " + node.getName() + " is not in the graph");
    }

    /** Makes every reader of {@code from} read {@code to} instead, except the nodes in {@code except}. */
    void rewire(String from, String to, Set<NodeProto> except) {
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            if (containsIdentity(except, n) || !n.getInputList().contains(from)) {
                continue;
            }
            NodeProto.Builder b = n.toBuilder();
            for (int k = 0; k < b.getInputCount(); k++) {
                if (b.getInput(k).equals(from)) {
                    b.setInput(k, to);
                }
            }
            nodes.set(i, b.build());
        }
    }

    /** Renames a tensor in every node that reads or writes it. */
    void rename(String from, String to) {
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            if (!n.getInputList().contains(from) && !n.getOutputList().contains(from)) {
                continue;
            }
            NodeProto.Builder b = n.toBuilder();
            for (int k = 0; k < b.getInputCount(); k++) {
                if (b.getInput(k).equals(from)) {
                    b.setInput(k, to);
                }
            }
            for (int k = 0; k < b.getOutputCount(); k++) {
                if (b.getOutput(k).equals(from)) {
                    b.setOutput(k, to);
                }
            }
            nodes.set(i, b.build());
        }
    }

    private static boolean containsIdentity(Set<NodeProto> set, NodeProto n) {
        for (NodeProto s : set) {
            if (s == n) {
                return true;
            }
        }
        return false;
    }

    static AttributeProto attribute(NodeProto node, String name) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    static long intAttribute(NodeProto node, String name, long fallback) {
        AttributeProto a = attribute(node, name);
        return a == null ? fallback : a.getI();
    }

    static float floatAttribute(NodeProto node, String name, float fallback) {
        AttributeProto a = attribute(node, name);
        return a == null ? fallback : a.getF();
    }

    static boolean hasSubgraphs(NodeProto node) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.hasG() || a.getGraphsCount() > 0) {
                return true;
            }
        }
        return false;
    }

    /** The edited model: nodes in topological order, unread constants dropped, value infos cleared. */
    ModelProto build() {
        List<NodeProto> sorted = topologicalOrder();
        Set<String> read = new HashSet<>();
        for (NodeProto n : sorted) {
            read.addAll(n.getInputList());
            collectSubgraphReads(n, read);
        }
        model.getGraph().getOutputList().forEach(v -> read.add(v.getName()));
        GraphProto.Builder g = model.getGraph().toBuilder().clearNode().clearInitializer().clearValueInfo()
                .addAllNode(sorted);
        for (TensorProto t : initializers.values()) {
            if (read.contains(t.getName())) {
                g.addInitializer(t);
            }
        }
        g.clearInput();
        for (ValueInfoProto in : model.getGraph().getInputList()) {
            if (!originalInitializers.contains(in.getName()) || read.contains(in.getName())
                    && initializers.containsKey(in.getName())) {
                g.addInput(in);
            }
        }
        ModelProto.Builder m = model.toBuilder().setGraph(g).clearOpsetImport();
        opsets.forEach((domain, version) -> m.addOpsetImport(
                OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version)));
        return m.build();
    }

    private static void collectSubgraphReads(NodeProto n, Set<String> read) {
        for (AttributeProto a : n.getAttributeList()) {
            List<GraphProto> graphs = new ArrayList<>(a.getGraphsList());
            if (a.hasG()) {
                graphs.add(a.getG());
            }
            for (GraphProto g : graphs) {
                for (NodeProto inner : g.getNodeList()) {
                    read.addAll(inner.getInputList());
                    collectSubgraphReads(inner, read);
                }
                g.getOutputList().forEach(v -> read.add(v.getName()));
            }
        }
    }

    private List<NodeProto> topologicalOrder() {
        Map<String, Integer> producerOf = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String out : nodes.get(i).getOutputList()) {
                if (!out.isEmpty()) {
                    producerOf.put(out, i);
                }
            }
        }
        int[] pending = new int[nodes.size()];
        Map<Integer, List<Integer>> dependents = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Set<Integer> deps = new HashSet<>();
            for (String in : nodes.get(i).getInputList()) {
                Integer p = producerOf.get(in);
                if (p != null && p != i) {
                    deps.add(p);
                }
            }
            pending[i] = deps.size();
            for (int d : deps) {
                dependents.computeIfAbsent(d, k -> new ArrayList<>()).add(i);
            }
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        List<NodeProto> out = new ArrayList<>(nodes.size());
        while (!ready.isEmpty()) {
            int i = ready.poll();
            out.add(nodes.get(i));
            for (int d : dependents.getOrDefault(i, List.of())) {
                if (--pending[d] == 0) {
                    ready.add(d);
                }
            }
        }
        if (out.size() != nodes.size()) {
            throw new CompressionException("the graph of model '" + model.getGraph().getName()
                    + "' has a cycle; the model is corrupt");
        }
        return out;
    }
}
