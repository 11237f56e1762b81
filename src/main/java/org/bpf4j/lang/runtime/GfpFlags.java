package org.bpf4j.lang.runtime;

import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * printf's {@code %gr} (v0.26): a gfp_t as the kernel's names for its flags, {@code GFP_KERNEL|__GFP_ZERO}. The bit
 * of each {@code __GFP_X} flag is the running kernel's (its BTF enumerator {@code ___GFP_X_BIT}), since the bits
 * move between kernel versions; the combined masks ({@code GFP_KERNEL}...) are those of the kernel's
 * {@code gfp_types.h}, tried first in the order its trace events list them, largest first.
 */
final class GfpFlags {
    private final Map<String, Long> masks;   // every name this kernel has, in the order they are tried

    private GfpFlags(Map<String, Long> bits) {
        masks = new LinkedHashMap<>();
        if (bits.isEmpty()) return;
        long reclaim = bit(bits, "DIRECT_RECLAIM") | bit(bits, "KSWAPD_RECLAIM");
        long user = reclaim | bit(bits, "IO") | bit(bits, "FS") | bit(bits, "HARDWALL");
        long highuser = user | bit(bits, "HIGHMEM");
        long movable = highuser | bit(bits, "MOVABLE") | bit(bits, "SKIP_KASAN");
        long light = (movable | bit(bits, "COMP") | bit(bits, "NOMEMALLOC") | bit(bits, "NOWARN")) & ~reclaim;
        long kernel = reclaim | bit(bits, "IO") | bit(bits, "FS");
        masks.put("GFP_TRANSHUGE", light | bit(bits, "DIRECT_RECLAIM"));
        masks.put("GFP_TRANSHUGE_LIGHT", light);
        masks.put("GFP_HIGHUSER_MOVABLE", movable);
        masks.put("GFP_HIGHUSER", highuser);
        masks.put("GFP_USER", user);
        masks.put("GFP_KERNEL_ACCOUNT", kernel | bit(bits, "ACCOUNT"));
        masks.put("GFP_KERNEL", kernel);
        masks.put("GFP_NOFS", reclaim | bit(bits, "IO"));
        masks.put("GFP_ATOMIC", bit(bits, "HIGH") | bit(bits, "KSWAPD_RECLAIM"));
        masks.put("GFP_NOIO", reclaim);
        masks.put("GFP_NOWAIT", bit(bits, "KSWAPD_RECLAIM") | bit(bits, "NOWARN"));
        masks.put("GFP_DMA", bit(bits, "DMA"));
        masks.put("GFP_DMA32", bit(bits, "DMA32"));
        masks.put("__GFP_RECLAIM", reclaim);
        bits.forEach((name, mask) -> masks.put("__GFP_" + name, mask));
        masks.values().removeIf(m -> m == 0);
    }

    private static long bit(Map<String, Long> bits, String name) { return bits.getOrDefault(name, 0L); }

    private static volatile GfpFlags kernel;

    /** The running kernel's flags, read from its BTF on first use (none without BTF: values print in hex). */
    static GfpFlags kernel() {
        GfpFlags k = kernel;
        if (k == null) kernel = k = new GfpFlags(kernelBits());
        return k;
    }

    /** Flags with these single-bit masks by name ({@code DMA} for {@code __GFP_DMA}), in bit order. */
    static GfpFlags of(Map<String, Long> bits) { return new GfpFlags(new LinkedHashMap<>(bits)); }

    private static Map<String, Long> kernelBits() {
        Map<String, Long> byBit = new HashMap<>();
        try {
            Btf b = Btf.vmlinux();
            for (int id = 1; id < b.typeCount(); id++)
                if (b.type(id) instanceof BtfType.Enumeration e)
                    for (BtfType.EnumValue v : e.values()) {
                        String n = v.name();
                        if (n.startsWith("___GFP_") && n.endsWith("_BIT") && !n.equals("___GFP_LAST_BIT") && !n.equals("___GFP_UNUSED_BIT")
                                && v.value() >= 0 && v.value() < 64)
                            byBit.putIfAbsent(n.substring(7, n.length() - 4), 1L << v.value());
                    }
        } catch (RuntimeException e) {
            return Map.of(); // no BTF on this kernel
        }
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(byBit.entrySet());
        sorted.sort(Map.Entry.comparingByValue(Long::compareUnsigned));
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<String, Long> en : sorted) out.put(en.getKey(), en.getValue());
        return out;
    }

    /** {@code flags} by name: the masks it holds whole, then what is left in hex; "0" for none. */
    String format(long flags) {
        if (flags == 0) return "0";
        StringBuilder sb = new StringBuilder();
        long left = flags;
        for (Map.Entry<String, Long> m : masks.entrySet()) {
            long mask = m.getValue();
            if ((left & mask) == mask) {
                sb.append(sb.isEmpty() ? "" : "|").append(m.getKey());
                left &= ~mask;
            }
        }
        if (left != 0) sb.append(sb.isEmpty() ? "" : "|").append("0x").append(Long.toHexString(left));
        return sb.toString();
    }
}
