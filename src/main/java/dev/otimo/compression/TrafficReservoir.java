package dev.otimo.compression;

import dev.otimo.config.OtimoProperties;
import dev.otimo.runtime.Tensor;
import org.springframework.stereotype.Component;

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
 */
@Component
public class TrafficReservoir {

    private final int capacity;
    private final ConcurrentHashMap<String, Sample> models = new ConcurrentHashMap<>();

    public TrafficReservoir(OtimoProperties properties) {
        this.capacity = properties.reservoirSize();
    }

    private static final class Sample {
        final AtomicLong seen = new AtomicLong();
        final AtomicReferenceArray<List<Tensor>> slots;

        Sample(int capacity) {
            slots = new AtomicReferenceArray<>(capacity);
        }
    }

    /** Offers one request's inputs; keeps it with probability capacity / requests seen. */
    public void offer(String model, List<Tensor> inputs) {
        if (capacity == 0) {
            return;
        }
        Sample sample = models.computeIfAbsent(model, m -> new Sample(capacity));
        long n = sample.seen.incrementAndGet();
        long slot = n <= capacity ? n - 1 : ThreadLocalRandom.current().nextLong(n);
        if (slot < capacity) {
            sample.slots.set((int) slot, inputs.stream().map(Tensor::compactCopy).toList());
        }
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
