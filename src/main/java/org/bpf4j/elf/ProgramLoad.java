package org.bpf4j.elf;

import org.bpf4j.BpfException;
import org.bpf4j.NotSupportedException;
import org.bpf4j.UserException;
import org.bpf4j.asm.Instruction;
import org.bpf4j.asm.MapReference;
import org.bpf4j.asm.Program;
import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;
import org.bpf4j.link.AttachSupport;
import org.bpf4j.map.KernelMap;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.sys.Errno;
import org.bpf4j.sys.Fd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns one linked {@link ObjectProgram} into a loaded program: CO-RE relocations applied against the target BTF,
 * the code decoded into a {@link ProgramSpec} whose map references are by name, the maps' descriptors filled in,
 * and BPF_PROG_LOAD given the object's BTF with func_info and line_info so that the verifier's log shows source.
 */
final class ProgramLoad {
    private ProgramLoad() {}

    /** {@code BPF_F_SLEEPABLE}. */
    private static final int F_SLEEPABLE = 1 << 4;

    /** A program's code after CO-RE, as a spec, and the decisions taken. */
    record Relocated(ProgramSpec spec, List<CoreRelocator.Decision> decisions) {}

    /** Applies CO-RE (when the program has relocations) and decodes; {@code target} is read only when needed. */
    static Relocated relocate(CollectionSpec spec, ObjectProgram p, java.util.function.Supplier<Btf> target) {
        byte[] code = p.code();
        List<CoreRelocator.Decision> decisions = List.of();
        String where = spec.name() + ": program '" + p.name() + "'";
        if (!p.core().isEmpty()) {
            if (spec.btf() == null) throw new ObjectFormatException(where + ": CO-RE relocations but no .BTF");
            decisions = new CoreRelocator(spec.btf(), target.get()).apply(code, p.core(), where);
        }
        resolveExterns(spec, p, code, where);
        List<Instruction> insns;
        try {
            insns = Program.decode(code).instructions();
        } catch (RuntimeException e) {
            throw new ObjectFormatException(where + ": " + e.getMessage(), e);
        }
        int[] indexOfSlot = new int[RawCode.slots(code) + 1];
        int slot = 0;
        for (int i = 0; i < insns.size(); i++) {
            indexOfSlot[slot] = i;
            slot += insns.get(i).width();
        }
        List<MapReference> refs = new ArrayList<>();
        for (ObjectProgram.MapUse u : p.mapUses()) refs.add(new MapReference(indexOfSlot[u.slot()], u.map()));
        ProgramSpec ps = new ProgramSpec(p.name(), p.section().type(), Program.of(insns, refs), p.license(),
                p.section().expectedAttachType());
        return new Relocated(ps, decisions);
    }

    /** Points kfunc calls and {@code __ksym} lddws at the running kernel's BTF ids (or a typeless symbol's address). */
    private static void resolveExterns(CollectionSpec spec, ObjectProgram p, byte[] code, String where) {
        for (ObjectProgram.ExternUse u : p.externs()) {
            Externs.Extern e = spec.externs().get(u.name());
            String ctx = where + ": instruction " + u.slot() + ": extern '" + u.name() + "'";
            Btf vmlinux = vmlinux(ctx);
            if (e.kind() == Externs.Kind.KSYM_FUNC) {
                Integer id = vmlinux.find(BtfType.Func.class, u.name()).map(BtfType::id).orElse(null);
                if (id == null) {
                    if (!e.weak()) throw new ObjectFormatException(ctx + ": no kernel function " + u.name() + " in vmlinux BTF");
                    RawCode.poison(code, u.slot()); // a weak kfunc this kernel lacks: dead code behind bpf_ksym_exists()
                    continue;
                }
                RawCode.setSrc(code, u.slot(), 2); // BPF_PSEUDO_KFUNC_CALL
                RawCode.setImm(code, u.slot(), id);
                RawCode.setOffset(code, u.slot(), 0);
                continue;
            }
            boolean typeless = spec.btf().resolve(e.typeId()) instanceof BtfType.Void;
            if (typeless) {
                long addr = org.bpf4j.symbols.Kallsyms.get().address(u.name()).orElse(0L);
                if (addr == 0 && !e.weak()) throw new ObjectFormatException(ctx + ": no kernel symbol " + u.name() + " in /proc/kallsyms");
                RawCode.setSrc(code, u.slot(), 0);
                RawCode.setImm64(code, u.slot(), addr);
                continue;
            }
            Integer id = vmlinux.find(BtfType.Var.class, u.name()).map(BtfType::id).orElse(null);
            if (id == null) {
                if (!e.weak()) throw new ObjectFormatException(ctx + ": no kernel variable " + u.name() + " in vmlinux BTF");
                RawCode.setSrc(code, u.slot(), 0);
                RawCode.setImm64(code, u.slot(), 0);
                continue;
            }
            RawCode.setSrc(code, u.slot(), 3); // BPF_PSEUDO_BTF_ID
            RawCode.setImm(code, u.slot(), id);
            RawCode.setImm(code, u.slot() + 1, 0);
        }
    }

    /** Loads a relocated program with the collection's maps and, when loaded, its BTF. */
    static KernelProgram load(CollectionSpec spec, ObjectProgram p, ProgramSpec ps, Map<String, KernelMap> maps, Fd btf) {
        byte[] insns = ps.program().encode(name -> {
            KernelMap m = maps.get(name);
            if (m == null) throw new IllegalArgumentException("program " + p.name() + " uses map '" + name + "', which was not created");
            return m.fd().value();
        });
        KernelProgram.Extras extras = new KernelProgram.Extras(btf, btf == null ? null : funcInfo(p),
                btf == null ? null : lineInfo(p), p.kernVersion(), p.section().sleepable() ? F_SLEEPABLE : 0);
        int attachBtfId = attachBtfId(p);
        try {
            return KernelProgram.load(kernelName(p.name()), ps.type(), insns, ps.license(), ps.expectedAttachType(),
                    attachBtfId, extras);
        } catch (BpfException e) {
            if (p.section().type() == org.bpf4j.prog.ProgramType.TRACING && e.errno() == Errno.EPERM)
                AttachSupport.fentry().require();
            throw e;
        }
    }

    /** The kernel keeps 15 characters of a program's name. */
    static String kernelName(String name) { return name.length() > 15 ? name.substring(0, 15) : name; }

    /** fentry/fexit name a kernel function, tp_btf a {@code btf_trace_NAME} typedef: the id BPF_PROG_LOAD needs. */
    private static int attachBtfId(ObjectProgram p) {
        ProgramSection s = p.section();
        String what = s.section();
        return switch (s.attach()) {
            case FENTRY, FEXIT -> {
                AttachSupport.fentry().require();
                yield vmlinux(what).find(BtfType.Func.class, s.target()).map(BtfType::id).orElseThrow(() ->
                        new UserException(what + ": no kernel function " + s.target() + " in /sys/kernel/btf/vmlinux"));
            }
            case TP_BTF -> vmlinux(what).find(BtfType.Typedef.class, "btf_trace_" + s.target()).map(BtfType::id).orElseThrow(() ->
                    new UserException(what + ": no raw tracepoint " + s.target() + " in /sys/kernel/btf/vmlinux (no btf_trace_" + s.target() + ")"));
            default -> 0;
        };
    }

    private static Btf vmlinux(String what) {
        try {
            return Btf.vmlinux();
        } catch (UserException e) {
            throw new NotSupportedException("BTF", what + " needs kernel BTF (" + e.getMessage() + ")");
        }
    }

    private static byte[] funcInfo(ObjectProgram p) {
        ByteBuffer b = ByteBuffer.allocate(8 * p.funcInfo().size()).order(ByteOrder.LITTLE_ENDIAN);
        for (ObjectProgram.FuncInfo f : p.funcInfo()) b.putInt(f.slot()).putInt(f.typeId());
        return b.array();
    }

    private static byte[] lineInfo(ObjectProgram p) {
        ByteBuffer b = ByteBuffer.allocate(16 * p.lineInfo().size()).order(ByteOrder.LITTLE_ENDIAN);
        for (ObjectProgram.LineInfo l : p.lineInfo()) b.putInt(l.slot()).putInt(l.fileNameOff()).putInt(l.lineOff()).putInt(l.lineCol());
        return b.array();
    }
}
