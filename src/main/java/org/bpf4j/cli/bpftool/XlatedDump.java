package org.bpf4j.cli.bpftool;

import org.bpf4j.asm.CallKind;
import org.bpf4j.asm.CallNames;
import org.bpf4j.asm.Disassembler;
import org.bpf4j.asm.Instruction;
import org.bpf4j.asm.Operation;
import org.bpf4j.asm.Program;
import org.bpf4j.prog.ProgramInfo;
import org.bpf4j.symbols.Kallsyms;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code prog dump xlated}: the kernel's translated instructions through {@link Disassembler}, with bpftool's
 * names for calls. The kernel rewrote each helper call's imm to the helper's address minus
 * {@code __bpf_call_base}, so a helper is named by the kernel symbol at that address; a call to a BPF function
 * by the JIT symbol of the callee ({@code +5#bpf_prog_TAG_NAME}).
 */
public final class XlatedDump {
    private XlatedDump() {}

    /** The call names of one program: kallsyms for helpers, its own JIT symbols for BPF-to-BPF calls. */
    static CallNames names(ProgramInfo info, List<Instruction> insns) {
        boolean localCalls = insns.stream().anyMatch(i -> i.op() instanceof Operation.Call(CallKind kind) && kind == CallKind.LOCAL);
        // bpftool reads /proc/kallsyms afresh for every dump; a program's own symbols appear only after it loads.
        Kallsyms syms = localCalls ? Kallsyms.read(Path.of("/proc/kallsyms")) : Kallsyms.get();
        long callBase = syms.address("__bpf_call_base").orElse(0L);
        long[] ksyms = info.jitedKsyms();
        return insn -> {
            if (!(insn.op() instanceof Operation.Call(CallKind kind))) return Optional.empty();
            int imm = (int) insn.imm();
            long address = callBase + imm;
            if (kind == CallKind.LOCAL) {
                String off = String.format("%+d", insn.offset());
                if (ksyms.length == 0) return Optional.of(off);
                if (Integer.compareUnsigned(imm, ksyms.length) < 0) address = ksyms[imm];
                Optional<String> sym = address == 0 ? Optional.empty() : syms.exact(address);
                return Optional.of(off + "#" + sym.orElse("0x" + Long.toHexString(address)));
            }
            Optional<String> sym = address == 0 ? Optional.empty() : syms.exact(address);
            if (sym.isPresent()) return sym;
            return Optional.of(address != 0 ? "0x" + Long.toHexString(address) : "unknown");
        };
    }

    /** bpftool's plain dump: {@code "   0: (bf) r6 = r1"} lines, with raw bytes lines under each when {@code opcodes}. */
    public static String text(ProgramInfo info, boolean opcodes) {
        List<Instruction> insns = Program.decode(info.xlated()).instructions();
        return Disassembler.dump(insns, names(info, insns), opcodes);
    }

    /** bpftool's JSON dump: {@code [{"disasm":"(bf) r6 = r1","opcodes":{...}}, ...]}. */
    public static void json(ProgramInfo info, boolean opcodes, Json json) {
        byte[] raw = info.xlated();
        List<Instruction> insns = Program.decode(raw).instructions();
        CallNames names = names(info, insns);
        json.beginArray();
        int slot = 0;
        for (Instruction insn : insns) {
            json.beginObject();
            json.field("disasm", Disassembler.format(insn, names));
            if (opcodes) {
                int p = slot * 8;
                json.name("opcodes").beginObject();
                json.name("code").raw(String.format("\"0x%02x\"", raw[p] & 0xff));
                json.name("src_reg").raw(String.format("\"0x%x\"", (raw[p + 1] >> 4) & 0xf));
                json.name("dst_reg").raw(String.format("\"0x%x\"", raw[p + 1] & 0xf));
                json.name("off").hexBytes(raw, p + 2, 2);
                json.name("imm").hexBytes(raw, p + 4, insn.width() == 2 && p + 16 <= raw.length ? 12 : 4);
                json.endObject();
            }
            json.endObject();
            slot += insn.width();
        }
        json.endArray();
    }
}
