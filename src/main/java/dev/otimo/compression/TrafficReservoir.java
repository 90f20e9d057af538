package dev.otimo.compression;

import dev.otimo.config.OtimoProperties;
import dev.otimo.runtime.Tensor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Per model, a bounded uniform random sample of recent request inputs (reservoir sampling,
 * Algorithm R), lock-free so the event loop can feed it. Compression calibrates on it and
 * compares parent and child on it.
 *
 * <p>It is fed only requests the model answered, and keeps none with a non-finite value. The
 * samples of all models together hold at most {@code otimo.reservoir-max-bytes}: a request that
 * would go over is not kept (it still counts as seen, so the sample stays uniform over what fits).
 */
@Component
public class TrafficReservoir {

    private final int capacity;
    private final long maxBytes;
    private final AtomicLong bytes = new AtomicLong();
    private final ConcurrentHashMap<String, Sample> models = new ConcurrentHashMap<>();

    @Autowired
    public TrafficReservoir(OtimoProperties properties) {
        this(properties.reservoirSize(), properties.reservoirMaxBytes().toBytes());
    }

    TrafficReservoir(int capacity, long maxBytes) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
    }

    private static final class Sample {
        final AtomicLong seen = new AtomicLong();
        final AtomicReferenceArray<List<Tensor>> slots;

        Sample(int capacity) {
            slots = new AtomicReferenceArray<>(capacity);
        }
    }

    /** Offers one answered request's inputs; keeps it with probability capacity / requests seen. */
    public void offer(String model, List<Tensor> inputs) {
        if (capacity == 0) {
            return;
        }
        Sample sample = models.computeIfAbsent(model, m -> new Sample(capacity));
        long n = sample.seen.incrementAndGet();
        long slot = n <= capacity ? n - 1 : ThreadLocalRandom.current().nextLong(n);
        if (slot >= capacity || !allFinite(inputs)) {
            return;
        }
        long size = sizeOf(inputs);
        if (!reserve(size)) {
            return;
        }
        List<Tensor> old = sample.slots.getAndSet((int) slot, inputs.stream().map(Tensor::compactCopy).toList());
        if (old != null) {
            bytes.addAndGet(-sizeOf(old));
        }
    }

    /** Bytes the samples of all models hold now. */
    public long bytes() {
        return bytes.get();
    }

    private boolean reserve(long size) {
        return bytes.getAndAccumulate(size, (now, more) -> now + more > maxBytes ? now : now + more) + size <= maxBytes;
    }

    /** What a kept copy costs: element bytes, plus each BYTES element's array header. */
    private static long sizeOf(List<Tensor> inputs) {
        long total = 0;
        for (Tensor t : inputs) {
            total += t.byteSize() + (t.datatype().isFixedWidth() ? 0 : 16L * t.elements().length);
        }
        return total;
    }

    static boolean allFinite(List<Tensor> inputs) {
        for (Tensor t : inputs) {
            if (!t.datatype().isFloatingPoint()) {
                continue;
            }
            ByteBuffer data = t.data();
            switch (t.datatype()) {
                case FP32 -> {
                    for (int i = 0; i < data.limit(); i += 4) {
                        if (!Float.isFinite(data.getFloat(i))) {
                            return false;
                        }
                    }
                }
                case FP64 -> {
                    for (int i = 0; i < data.limit(); i += 8) {
                        if (!Double.isFinite(data.getDouble(i))) {
                            return false;
                        }
                    }
                }
                default -> {
                    for (int i = 0; i < data.limit(); i += 2) {
                        // FP16: all exponent bits set is infinity or NaN
                        if ((data.getShort(i) & 0x7c00) == 0x7c00) {
                            return false;
                        }
                    }
                }
            }
        }
        return true;
    }

    /** The current sample of a model (at most {@code limit} requests). */
    public List<List<Tensor>> snapshot(String model, int limit) {
        Sample sample = models.get(model);
        List<List<Tensor>> out = new ArrayList<>();
        if (sample == null) {
            return out;
        }
        for (int i = 0; i < sample.slots.length() && out.size() < limit; i++) {
            List<Tensor> inputs = sample.slots.get(i);
            if (inputs != null) {
                out.add(inputs);
            }
        }
        return out;
    }

    public int size(String model) {
        Sample sample = models.get(model);
        return sample == null ? 0 : (int) Math.min(sample.seen.get(), capacity);
    }
}
