package org.bpf4j.exporter;

import org.bpf4j.symbols.Cgroups;
import org.bpf4j.symbols.Kallsyms;
import org.bpf4j.symbols.SyscallNames;
import org.bpf4j.sys.Errno;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * ebpf_exporter's label decoders: each turns the bytes of one part of a map key (or the previous decoder's text)
 * into text, as ebpf_exporter does, so that a config gives the same label values under bpf4j. Decoders run in the
 * order the config lists them; a {@code regexp} that matches nothing drops the whole series.
 */
public enum KeyDecoder {
    /** A little-endian unsigned integer of 1, 2, 4 or 8 bytes, in decimal. */
    UINT("uint"),
    /** The bytes in lower-case hex. */
    HEX("hex"),
    /** A C string: the bytes up to the first NUL. */
    STRING("string"),
    /** A kernel address as the symbol containing it ({@code unknown_addr:0x...} when none does). */
    KSYM("ksym"),
    /** Kernel addresses up to the first zero, as symbols one per line ({@code ??} for unknown ones). */
    KSTACK("kstack"),
    /** A {@code new_encode_dev()} device number as the block device's name from /proc/partitions. */
    MAJORMINOR("majorminor"),
    /** The text looked up in the config's {@code static_map}. */
    STATIC_MAP("static_map"),
    /** The first of the config's regexps that matches (its one group, or the whole match); no match drops the series. */
    REGEXP("regexp"),
    /** A decimal errno as its name ({@code ENOENT}). */
    ERRNO("errno"),
    /** A decimal x86-64 system call number as its name. */
    SYSCALL("syscall"),
    /** 4 or 16 bytes as an IPv4 or IPv6 address. */
    INET_IP("inet_ip"),
    /** A DNS name in wire format (length-prefixed labels) as dotted text. */
    DNAME("dname"),
    /** A network interface index as its name. */
    IFNAME("ifname"),
    /** A decimal cgroup id (a cgroup v2 directory's inode) as its path under /sys/fs/cgroup. */
    CGROUP("cgroup"),
    /** PCI ids: refused (they need the PCI ID database). */
    PCI_VENDOR("pci_vendor"),
    /** PCI ids: refused. */
    PCI_DEVICE("pci_device"),
    /** PCI ids: refused. */
    PCI_CLASS("pci_class"),
    /** PCI ids: refused. */
    PCI_SUBCLASS("pci_subclass");

    private final String yaml;

    KeyDecoder(String yaml) { this.yaml = yaml; }

    /** The decoder's name in the YAML. */
    public String yaml() { return yaml; }

    /** Whether bpf4j implements it. */
    public boolean supported() {
        return switch (this) {
            case PCI_VENDOR, PCI_DEVICE, PCI_CLASS, PCI_SUBCLASS -> false;
            default -> true;
        };
    }

    /** The decoder named {@code name} in the YAML. */
    static Optional<KeyDecoder> named(String name) {
        for (KeyDecoder d : values()) if (d.yaml.equals(name)) return Optional.of(d);
        return Optional.empty();
    }

    /** Every decoder's YAML name, for messages. */
    static String names() {
        return Arrays.stream(values()).map(KeyDecoder::yaml).collect(Collectors.joining(", "));
    }

    /** A label's part of a key could not be decoded (a wrong size); counted as a decode error of the config. */
    static final class DecodeException extends Exception {
        DecodeException(String message) { super(message, null, false, false); }
    }

    /**
     * Decodes {@code in} with {@code d}'s options; null when the series is to be dropped (no regexp matched).
     */
    byte[] decode(byte[] in, ObjectConfig.Decoder d, Context ctx) throws DecodeException {
        return switch (this) {
            case UINT -> {
                ByteBuffer b = ByteBuffer.wrap(in).order(ByteOrder.nativeOrder());
                long v = switch (in.length) {
                    case 8 -> b.getLong();
                    case 4 -> Integer.toUnsignedLong(b.getInt());
                    case 2 -> Short.toUnsignedLong(b.getShort());
                    case 1 -> Byte.toUnsignedLong(in[0]);
                    default -> throw new DecodeException("uint: unknown value length " + in.length);
                };
                yield ascii(Long.toUnsignedString(v));
            }
            case HEX -> ascii(HexFormat.of().formatHex(in));
            case STRING -> Arrays.copyOf(in, cLength(in));
            case KSYM -> {
                if (in.length < 8) throw new DecodeException("ksym: " + in.length + " bytes, not an 8-byte address");
                long addr = ByteBuffer.wrap(in).order(ByteOrder.nativeOrder()).getLong();
                yield ascii(ctx.kallsyms().containing(addr).orElse("unknown_addr:0x" + Long.toHexString(addr)));
            }
            case KSTACK -> {
                ByteBuffer b = ByteBuffer.wrap(in).order(ByteOrder.nativeOrder());
                List<String> frames = new ArrayList<>();
                while (b.remaining() >= 8) {
                    long addr = b.getLong();
                    if (addr == 0) break;
                    frames.add(ctx.kallsyms().containing(addr).orElse("??"));
                }
                yield ascii(String.join("\n", frames));
            }
            case MAJORMINOR -> {
                if (in.length < 4) throw new DecodeException("majorminor: " + in.length + " bytes, not a 4-byte device number");
                long dev = Integer.toUnsignedLong(ByteBuffer.wrap(in).order(ByteOrder.nativeOrder()).getInt());
                long major = (dev >> 8) & 0xfff, minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
                yield ascii(ctx.blockDevice(major, minor).orElse("unknown:" + major + ":" + minor));
            }
            case STATIC_MAP -> {
                if (d.staticMap().isEmpty()) yield ascii("empty mapping");
                String key = new String(in, StandardCharsets.UTF_8);
                String v = d.staticMap().get(key);
                yield v != null ? v.getBytes(StandardCharsets.UTF_8) : d.allowUnknown() ? in : ascii("unknown:" + key);
            }
            case REGEXP -> {
                String text = new String(in, StandardCharsets.UTF_8);
                for (Pattern p : d.regexps()) {
                    Matcher m = p.matcher(text);
                    if (!m.find()) continue;
                    if (m.groupCount() == 1) yield m.group(1) == null ? new byte[0] : m.group(1).getBytes(StandardCharsets.UTF_8);
                    if (m.groupCount() == 0) yield m.group().getBytes(StandardCharsets.UTF_8);
                }
                yield null;
            }
            case ERRNO -> {
                long e = decimal(in, "errno");
                String name = e > 0 && e < Integer.MAX_VALUE ? Errno.name((int) e) : "errno";
                yield ascii(name.startsWith("errno") ? "unknown:" + e : name);
            }
            case INET_IP -> {
                try {
                    yield ascii(inet(InetAddress.getByAddress(in)));
                } catch (UnknownHostException e) {
                    throw new DecodeException("inet_ip: " + in.length + " bytes, not an IPv4 or IPv6 address");
                }
            }
            case DNAME -> dname(in);
            case IFNAME -> {
                if (in.length < 4) throw new DecodeException("ifname: " + in.length + " bytes, not a 4-byte index");
                int index = ByteBuffer.wrap(in).order(ByteOrder.nativeOrder()).getInt();
                yield ascii(ctx.interfaceName(index).orElse("unknown:" + Integer.toUnsignedString(index)));
            }
            case CGROUP -> {
                long id = decimal(in, "cgroup");
                yield ascii(ctx.cgroupPath(id).orElse("unknown_cgroup_id:" + id));
            }
            case SYSCALL -> {
                long nr = decimal(in, "syscall");
                yield ascii(SyscallNames.lookup(nr).orElse("unknown_syscall:" + nr));
            }
            case PCI_VENDOR, PCI_DEVICE, PCI_CLASS, PCI_SUBCLASS -> throw new DecodeException(yaml + ": not supported by bpf4j");
        };
    }

    private static byte[] ascii(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static int cLength(byte[] in) {
        for (int i = 0; i < in.length; i++) if (in[i] == 0) return i;
        return in.length;
    }

    private static long decimal(byte[] in, String who) throws DecodeException {
        String s = new String(in, StandardCharsets.UTF_8);
        try {
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            throw new DecodeException(who + ": '" + s + "' is not a decimal number (put the uint decoder first)");
        }
    }

    /** An address as Go's net.IP prints it: IPv6 with the longest run of two or more zero groups as "::". */
    private static String inet(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) return a.getHostAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    private static byte[] dname(byte[] in) {
        if (in.length == 0) return ascii(".");
        byte[] out = new byte[in.length];
        for (int off = 0; off < in.length; ) {
            int n = in[off] & 0xff;
            out[off++] = '.';
            if (off + n > in.length) return in;
            System.arraycopy(in, off, out, off, n);
            off += n;
        }
        return Arrays.copyOfRange(out, 1, out.length);
    }

    /** What the decoders look up on the machine, read on first use and kept (as ebpf_exporter caches them). */
    static final class Context {
        private Kallsyms kallsyms;
        private final Map<Long, String> partitions = new HashMap<>();
        private boolean partitionsRead;
        private long partitionsReadAt;
        private final Map<Long, Optional<String>> cgroups = new HashMap<>();

        Kallsyms kallsyms() {
            if (kallsyms == null) kallsyms = Kallsyms.get();
            return kallsyms;
        }

        /**
         * The device's name; the whole table is read at once, and again on a miss at most once a second (a device
         * may appear while the exporter runs), not once per unknown key per scrape.
         */
        Optional<String> blockDevice(long major, long minor) {
            long key = major << 32 | minor;
            String cached = partitions.get(key);
            if (cached != null) return Optional.of(cached);
            long now = System.nanoTime();
            // System.nanoTime() may be any value, 0 included: a flag, not a sentinel, says whether the table was read
            if (partitionsRead && now - partitionsReadAt < 1_000_000_000L) return Optional.empty();
            partitionsRead = true;
            partitionsReadAt = now;
            try {
                for (String line : Files.readAllLines(Path.of("/proc/partitions"))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length == 4 && f[0].chars().allMatch(Character::isDigit) && f[1].chars().allMatch(Character::isDigit))
                        partitions.put(Long.parseLong(f[0]) << 32 | Long.parseLong(f[1]), f[3]);
                }
            } catch (IOException | NumberFormatException e) {
                // no /proc/partitions: unknown
            }
            return Optional.ofNullable(partitions.get(key));
        }

        Optional<String> interfaceName(int index) {
            try {
                NetworkInterface i = NetworkInterface.getByIndex(index);
                return i == null ? Optional.empty() : Optional.of(i.getName());
            } catch (SocketException e) {
                return Optional.empty();
            }
        }

        Optional<String> cgroupPath(long id) {
            return cgroups.computeIfAbsent(id, i -> Cgroups.path(i).map(Path::toString));
        }
    }
}
