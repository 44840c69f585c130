package dev.jeton.http;

import io.vertx.core.http.HttpServerRequest;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds the end user's address behind reverse proxies, trusting {@code X-Forwarded-For} only as far as
 * the configured proxies vouch for it.
 *
 * <p>The header is read from the right: each trusted proxy appends the address it received the request
 * from, so the first entry from the right that is not a trusted proxy is the client; everything to its
 * left was written by that client and may be forged.
 *
 * <p>Never touches DNS: only IPv4 and IPv6 literals are accepted, in the configuration and in headers.
 * An IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.1}) counts as its IPv4 address.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClientAddress {

    private static final ClientAddress NONE = new ClientAddress(List.of());

    private final List<Block> trusted;

    private ClientAddress(List<Block> trusted) {
        this.trusted = trusted;
    }

    /**
     * Parses the trusted proxies, e.g. {@code "10.0.0.0/8, fd00::/8, 127.0.0.1"}.
     *
     * @param commaList comma-separated IPv4/IPv6 literals or CIDR blocks ({@code address/prefix}, prefix
     *                  0–32 or 0–128; host bits are ignored); null or blank trusts no proxy
     * @return the resolver
     * @throws IllegalArgumentException naming the first entry that is not a literal or a valid block
     */
    public static ClientAddress parse(String commaList) {
        if (commaList == null || commaList.isBlank()) {
            return NONE;
        }
        List<Block> blocks = new ArrayList<>();
        for (String raw : commaList.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            Block block = Block.parse(entry);
            if (block == null) {
                throw new IllegalArgumentException("invalid trusted proxy entry: '" + entry + "'");
            }
            blocks.add(block);
        }
        return new ClientAddress(List.copyOf(blocks));
    }

    /**
     * @param address an address as text; may be null or not an address at all
     * @return true if it is an IP literal inside one of the trusted blocks
     */
    public boolean trusts(String address) {
        byte[] bytes = literal(address == null ? null : address.trim());
        return bytes != null && trusted(bytes);
    }

    /**
     * The end user's address for a request: its connection's peer, resolved through every
     * {@code X-Forwarded-For} header it carries (joined in order) as {@link #resolve} does.
     */
    public String of(HttpServerRequest request) {
        String remote = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        List<String> forwarded = request.headers().getAll("X-Forwarded-For");
        String resolved = resolve(remote, forwarded.isEmpty() ? null : String.join(",", forwarded));
        // The peer's address comes from the socket, already in one form; a header's may be written in any.
        return resolved == remote ? remote : canonical(resolved);
    }

    /**
     * One text per address, whatever way it was written: {@code ::ffff:10.0.0.1} is {@code 10.0.0.1}, and
     * {@code 2001:DB8:0:0::1} is {@code 2001:db8:0:0:0:0:0:1}. The audit shows it, and throttling counts by it.
     *
     * @return the canonical text of an IP literal, or {@code text} unchanged if it is not one
     */
    public static String canonical(String text) {
        byte[] bytes = literal(text);
        if (bytes == null) {
            return text;
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            return text;
        }
    }

    /**
     * Picks the end user's address.
     *
     * @param remoteAddress  the peer of the TCP connection, as text
     * @param xForwardedFor  the {@code X-Forwarded-For} header, several header values joined by commas;
     *                       null if absent
     * @return {@code remoteAddress} unchanged if the peer is not a trusted proxy or there is no header;
     *         otherwise the first header entry from the right that is not a trusted proxy, trimmed. If an
     *         entry that is not an IP literal comes first, the last trusted hop before it (or the remote
     *         address); if every entry is trusted, the leftmost one
     */
    public String resolve(String remoteAddress, String xForwardedFor) {
        if (xForwardedFor == null || xForwardedFor.isBlank() || !trusts(remoteAddress)) {
            return remoteAddress;
        }
        String lastTrusted = remoteAddress;
        String[] entries = xForwardedFor.split(",", -1);
        for (int i = entries.length - 1; i >= 0; i--) {
            String entry = entries[i].trim();
            byte[] bytes = literal(entry);
            if (bytes == null) {
                return lastTrusted;
            }
            if (!trusted(bytes)) {
                return entry;
            }
            lastTrusted = entry;
        }
        return lastTrusted;
    }

    private boolean trusted(byte[] address) {
        for (Block block : trusted) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the 4 or 16 bytes of an IPv4 or IPv6 literal, or null if the text is anything else
     */
    static byte[] literal(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (text.indexOf(':') < 0) {
            return ipv4(text);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
                    || c == ':' || c == '.';
            if (!ok) {
                return null;
            }
        }
        // Only hex digits, colons and dots remain, and there is a colon: getByName parses that as an IPv6
        // literal or fails, without a DNS lookup.
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static byte[] ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            // No leading zeros: some parsers read "010" as octal 8, others as decimal 10.
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                return null;
            }
            int value = 0;
            for (int j = 0; j < part.length(); j++) {
                char c = part.charAt(j);
                if (c < '0' || c > '9') {
                    return null;
                }
                value = value * 10 + (c - '0');
            }
            if (value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    private static final class Block {

        private final byte[] network;
        private final int prefix;

        private Block(byte[] network, int prefix) {
            this.network = network;
            this.prefix = prefix;
        }

        static Block parse(String entry) {
            int slash = entry.indexOf('/');
            String address = slash < 0 ? entry : entry.substring(0, slash);
            byte[] bytes = literal(address);
            if (bytes == null) {
                return null;
            }
            int max = bytes.length * 8;
            int prefix = max;
            if (slash >= 0) {
                String digits = entry.substring(slash + 1);
                if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return null;
                }
                prefix = Integer.parseInt(digits);
                if (prefix > max) {
                    return null;
                }
            }
            return new Block(mask(bytes, prefix), prefix);
        }

        boolean contains(byte[] address) {
            return address.length == network.length && Arrays.equals(mask(address, prefix), network);
        }

        private static byte[] mask(byte[] address, int prefix) {
            byte[] masked = address.clone();
            for (int i = 0; i < masked.length; i++) {
                int bits = Math.max(0, Math.min(8, prefix - i * 8));
                masked[i] &= (byte) (0xff << (8 - bits));
            }
            return masked;
        }
    }
}
