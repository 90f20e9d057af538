package dev.otimo.batching;

import dev.otimo.runtime.DataType;
import dev.otimo.runtime.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Stacks the inputs of several requests along axis 0 (one copy in) and cuts the outputs back into
 * per-request slices (one copy out).
 */
final class TensorBatch {

    private TensorBatch() {
    }

    /**
     * The inputs of all tasks stacked along axis 0, in the order of the first task's inputs.
     *
     * @throws MismatchedBatchException when a task lacks one of the first task's inputs
     */
    static List<Tensor> stack(List<InferenceTask> tasks, int totalRows) {
        InferenceTask first = tasks.get(0);
        List<Tensor> stacked = new ArrayList<>(first.inputs.size());
        for (int i = 0; i < first.inputs.size(); i++) {
            Tensor proto = first.inputs.get(i);
            long[] shape = proto.shape();
            shape[0] = totalRows;
            if (proto.datatype() == DataType.BYTES) {
                List<byte[]> all = new ArrayList<>();
                for (InferenceTask task : tasks) {
                    all.addAll(List.of(input(task, proto.name()).elements()));
                }
                stacked.add(Tensor.ofBytes(proto.name(), shape, all.toArray(byte[][]::new)));
                continue;
            }
            long bytes = Tensor.elementCount(shape) * proto.datatype().byteSize();
            ByteBuffer buffer = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
            for (InferenceTask task : tasks) {
                buffer.put(input(task, proto.name()).data());
            }
            buffer.flip();
            stacked.add(Tensor.of(proto.name(), proto.datatype(), shape, buffer));
        }
        return stacked;
    }

    /**
     * Cuts each output into the tasks' row ranges; each task keeps only the outputs it asked for.
     *
     * @throws OutputsNotBatchedException when an output's axis 0 is not the batch's row count
     */
    static List<List<Tensor>> split(List<Tensor> outputs, List<InferenceTask> tasks, int totalRows) {
        for (Tensor out : outputs) {
            if (out.rank() == 0 || out.dim(0) != totalRows) {
                throw new OutputsNotBatchedException("output " + out + " is not batched along axis 0");
            }
        }
        List<List<Tensor>> perTask = new ArrayList<>(tasks.size());
        int row = 0;
        for (InferenceTask task : tasks) {
            List<Tensor> mine = new ArrayList<>();
            for (Tensor out : outputs) {
                if (task.outputs.isEmpty() || task.outputs.contains(out.name())) {
                    mine.add(slice(out, row, task.rows));
                }
            }
            perTask.add(mine);
            row += task.rows;
        }
        return perTask;
    }

    static Tensor slice(Tensor t, int fromRow, int rows) {
        long[] shape = t.shape();
        long rowElements = Tensor.elementCount(shape) / Math.max(shape[0], 1);
        shape[0] = rows;
        if (t.datatype() == DataType.BYTES) {
            byte[][] out = new byte[(int) (rowElements * rows)][];
            System.arraycopy(t.elements(), (int) (rowElements * fromRow), out, 0, out.length);
            return Tensor.ofBytes(t.name(), shape, out);
        }
        int width = t.datatype().byteSize();
        int from = Math.toIntExact(rowElements * fromRow * width);
        int length = Math.toIntExact(rowElements * rows * width);
        ByteBuffer src = t.data().position(from).limit(from + length);
        ByteBuffer copy = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(src).flip();
        return Tensor.of(t.name(), t.datatype(), shape, copy);
    }

    private static Tensor input(InferenceTask task, String name) {
        for (Tensor t : task.inputs) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new MismatchedBatchException("a request in the batch lacks input " + name + ", which the first request has");
    }
}
