package org.bpf4j.usdt;

import org.bpf4j.UserException;
import org.bpf4j.elf.ElfFile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One USDT probe site from a binary's {@code .note.stapsdt} notes (SystemTap's SDT format, used by DTrace-style
 * probes such as the HotSpot JVM's {@code hotspot:gc__begin}). A probe name may have several sites; each is a
 * {@code nop} at {@code address} where a uprobe goes, optionally guarded by a semaphore the tracer increments.
 *
 * @param binary             the file
 * @param provider           e.g. {@code hotspot}
 * @param name               e.g. {@code thread__start}
 * @param address            the site's virtual address (prelink-adjusted through {@code .stapsdt.base})
 * @param fileOffset         where the uprobe goes: the site's offset in the file
 * @param semaphore          the semaphore's virtual address, 0 when the probe has none
 * @param semaphoreOffset    the semaphore's offset in the file (the uprobe's {@code ref_ctr_offset}), 0 when none
 * @param argumentText       the argument specs as written, e.g. {@code "8@%r13 -4@%r14d -8@-64(%rbp)"}
 * @param symbols            the link-time addresses of the symbols {@code %rip}-relative arguments name
 */
public record UsdtProbe(Path binary, String provider, String name, long address, long fileOffset, long semaphore,
                        long semaphoreOffset, String argumentText, Map<String, Long> symbols) {
    private static final int NT_STAPSDT = 3;

    /**
     * The parsed argument specs; a {@link UserException} naming the probe when one is not in a form bpf4j reads
     * (parsed on demand, so that one odd probe does not hide the others of a binary).
     */
    public List<UsdtArgument> arguments() {
        try {
            return UsdtArgument.parseAll(argumentText).stream()
                    .map(a -> a.atSite(address, n -> Optional.ofNullable(symbols.get(n)))).toList();
        } catch (IllegalArgumentException e) {
            throw new UserException(binary + ": probe " + fullName() + ": " + e.getMessage());
        }
    }

    /** What tells this site's argument layout from others': the specs, with %rip operands placed at the site. */
    public String layoutKey() {
        return UsdtArgument.layoutKey(arguments());
    }

    /** {@code provider:name}. */
    public String fullName() { return provider + ":" + name; }

    /** Every probe site of {@code binary}, in note order; an empty list when it has none. */
    public static List<UsdtProbe> read(Path binary) {
        try (ElfFile elf = ElfFile.open(binary)) {
            return read(elf);
        }
    }

    /** Every probe site of an open ELF file. */
    public static List<UsdtProbe> read(ElfFile elf) {
        Optional<ElfFile.Section> baseSection = elf.section(".stapsdt.base");
        List<UsdtProbe> out = new ArrayList<>();
        Map<String, Optional<Long>> symbolValues = new HashMap<>(); // each symbol looked up once per file
        for (ElfFile.Note note : elf.notes(".note.stapsdt")) {
            if (!note.owner().equals("stapsdt") || note.type() != NT_STAPSDT) continue;
            byte[] d = note.desc();
            if (d.length < 24 + 3) throw new UserException(elf.path() + ": truncated .note.stapsdt entry");
            ByteBuffer bb = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
            long pc = bb.getLong(0), base = bb.getLong(8), sem = bb.getLong(16);
            String[] strings = strings(d, 24, 3);
            if (strings == null) throw new UserException(elf.path() + ": malformed .note.stapsdt entry at pc 0x" + Long.toHexString(pc));
            if (baseSection.isPresent() && base != 0) pc += baseSection.get().addr() - base; // the file was prelinked
            Map<String, Long> symbols = new HashMap<>();
            for (String sym : UsdtArgument.ripSymbols(strings[2]))
                symbolValues.computeIfAbsent(sym, n -> elf.symbol(n).map(ElfFile.Symbol::value)).ifPresent(v -> symbols.put(sym, v));
            out.add(new UsdtProbe(elf.path(), strings[0], strings[1], pc, elf.fileOffset(pc), sem,
                    sem == 0 ? 0 : elf.fileOffset(sem), strings[2], Map.copyOf(symbols)));
        }
        return List.copyOf(out);
    }

    /** The sites of {@code provider:name} in {@code binary}; a {@link UserException} when there are none. */
    public static List<UsdtProbe> find(Path binary, String provider, String name) {
        List<UsdtProbe> all = read(binary);
        List<UsdtProbe> sites = all.stream().filter(p -> p.provider.equals(provider) && p.name.equals(name)).toList();
        if (sites.isEmpty())
            throw new UserException("usdt: no probe " + provider + ":" + name + " in " + binary
                    + (all.isEmpty() ? " (it has no USDT probes)" : ""));
        return sites;
    }

    private static String[] strings(byte[] d, int from, int count) {
        String[] out = new String[count];
        int at = from;
        for (int i = 0; i < count; i++) {
            int end = at;
            while (end < d.length && d[end] != 0) end++;
            if (end >= d.length) return null;
            out[i] = new String(d, at, end - at, StandardCharsets.UTF_8);
            at = end + 1;
        }
        return out;
    }
}
