package dev.otimo.routing;

/**
 * Maps a sticky header value to one of 100 buckets, the same on every replica and across
 * restarts (unlike {@link Object#hashCode()} mixing, which is only stable by accident).
 */
final class StickyHash {

    static final int BUCKETS = 100;

    private StickyHash() {
    }

    static int bucket(CharSequence value) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < value.length(); i++) {
            h ^= value.charAt(i);
            h *= 0x100000001b3L;
        }
        // FNV-1a alone spreads short, similar values unevenly over a small modulus; finish with a full mix
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) Long.remainderUnsigned(h, BUCKETS);
    }
}
