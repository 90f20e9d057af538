package dev.otimo.security;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.util.List;

/**
 * The proxies whose forwarded headers Otimo believes ({@code otimo.security.trusted-proxies}):
 * IP addresses and CIDR blocks, IPv4 or IPv6. Entries are parsed as literals, never looked up.
 */
public final class TrustedProxies {

    private record Block(byte[] network, int prefix) {

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Block> blocks;

    /** @throws IllegalArgumentException when an entry is neither an IP address nor a CIDR block */
    public TrustedProxies(List<String> entries) {
        this.blocks = entries.stream().map(TrustedProxies::block).toList();
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** True when {@code address} (an IP literal; anything else is not trusted) is one of the proxies. */
    public boolean contains(String address) {
        byte[] bytes = address == null ? null : NetUtil.createByteArrayFromIpAddressString(address);
        return bytes != null && contains(bytes);
    }

    public boolean contains(InetAddress address) {
        return address != null && contains(address.getAddress());
    }

    private boolean contains(byte[] address) {
        for (Block block : blocks) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static Block block(String entry) {
        String trimmed = entry.trim();
        int slash = trimmed.indexOf('/');
        String ip = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] network = NetUtil.createByteArrayFromIpAddressString(ip);
        if (network == null) {
            throw new IllegalArgumentException("otimo.security.trusted-proxies: '" + entry
                    + "' is not an IP address or a CIDR block such as 10.0.0.0/8");
        }
        int bits = network.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("otimo.security.trusted-proxies: '" + entry
                        + "' has a prefix length outside 0.." + bits);
            }
        }
        return new Block(network, prefix);
    }
}
