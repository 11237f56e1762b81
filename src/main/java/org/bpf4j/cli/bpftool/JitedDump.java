package org.bpf4j.cli.bpftool;

import org.bpf4j.prog.ProgramInfo;
import org.bpf4j.symbols.Kallsyms;

import java.nio.file.Path;

/**
 * {@code prog dump jited}: the JIT-compiled machine code as bytes. bpftool disassembles it with libbfd or LLVM,
 * which bpf4j does not carry (nor does Debian's bpftool, built without libbfd); we print each function's symbol,
 * then its bytes sixteen to a line after the offset, in the layout of bpftool's {@code opcodes} byte lines.
 */
public final class JitedDump {
    private JitedDump() {}

    /** One function of a program's image: its JIT symbol and where its bytes are. */
    record Function(String name, int start, int length) {}

    static java.util.List<Function> functions(ProgramInfo info, byte[] image) {
        long[] ksyms = info.jitedKsyms();
        int[] lens = info.jitedFuncLengths();
        java.util.List<Function> out = new java.util.ArrayList<>();
        if (lens.length == 0 || lens.length != ksyms.length) {
            out.add(new Function("bpf_prog_" + info.tag() + (info.name().isEmpty() ? "" : "_" + info.name()), 0, image.length));
            return out;
        }
        Kallsyms syms = Kallsyms.read(Path.of("/proc/kallsyms"));
        int start = 0;
        for (int i = 0; i < lens.length; i++) {
            int len = Math.min(lens[i], image.length - start);
            String name = ksyms[i] == 0 ? null : syms.exact(ksyms[i]).orElse(null);
            if (name == null) name = i == 0 ? "bpf_prog_" + info.tag() + (info.name().isEmpty() ? "" : "_" + info.name()) : "0x" + Long.toHexString(ksyms[i]);
            out.add(new Function(name, start, len));
            start += len;
        }
        return out;
    }

    /** {@code NAME:} then {@code "   0:\t0f 1f 44 00 00 ..."} lines, a blank line between functions. */
    public static String text(ProgramInfo info, byte[] image) {
        StringBuilder sb = new StringBuilder();
        var funcs = functions(info, image);
        for (int f = 0; f < funcs.size(); f++) {
            Function fn = funcs.get(f);
            if (f > 0) sb.append('\n');
            sb.append(fn.name()).append(":\n");
            for (int off = 0; off < fn.length(); off += 16) {
                sb.append(String.format("%4x:\t", off));
                for (int i = off; i < Math.min(off + 16, fn.length()); i++) {
                    if (i > off) sb.append(' ');
                    sb.append(String.format("%02x", image[fn.start() + i] & 0xff));
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** {@code [{"name":"bpf_prog_..","bytes":["0x0f",...]}]}. */
    public static void json(ProgramInfo info, byte[] image, Json json) {
        json.beginArray();
        for (Function fn : functions(info, image)) {
            json.beginObject();
            json.field("name", fn.name());
            json.name("bytes").hexBytes(image, fn.start(), fn.length());
            json.endObject();
        }
        json.endArray();
    }
}
