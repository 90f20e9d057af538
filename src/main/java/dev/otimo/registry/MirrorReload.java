package dev.otimo.registry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Schedulers;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * How an in-memory mirror of registry rows (routing policies, open experiments) is reloaded: on every
 * {@link RegistryChanged}, on a worker thread when the change is announced on an event loop and at once
 * otherwise (an admin request's worker then sees its change live when it returns); and a read that
 * started before one already applied is dropped, so an old read never overwrites a newer one.
 * <p>
 * The mirror's other writers hold {@link #lock()} while they swap, as {@link #reload()} does.
 *
 * @param <T> what one read of the database gives
 */
public final class MirrorReload<T> {

    private static final Logger log = LoggerFactory.getLogger(MirrorReload.class);

    private final String what;
    private final Supplier<T> read;
    private final Consumer<T> apply;
    private final Object lock = new Object();
    private long reads;
    private long appliedRead;

    /**
     * @param what  what is mirrored, for the log ("routing policies")
     * @param read  reads the rows (blocks on the database)
     * @param apply swaps them in; called under {@link #lock()}
     */
    public MirrorReload(String what, Supplier<T> read, Consumer<T> apply) {
        this.what = what;
        this.read = read;
        this.apply = apply;
    }

    /** The lock under which the mirror is swapped. */
    public Object lock() {
        return lock;
    }

    /** Reloads for a registry change, off the event loop when it is announced on one. */
    public void onChange() {
        if (Schedulers.isInNonBlockingThread()) {
            Schedulers.boundedElastic().schedule(this::reloadQuietly);
        } else {
            reload();
        }
    }

    /** Reads and swaps in, unless a read that started later was applied meanwhile. Blocks on the database. */
    public void reload() {
        long read;
        synchronized (lock) {
            read = ++reads;
        }
        T rows = this.read.get();
        synchronized (lock) {
            if (read <= appliedRead) {
                return;
            }
            appliedRead = read;
            apply.accept(rows);
        }
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (RuntimeException e) {
            log.error("reloading {} failed", what, e);
        }
    }
}
