package org.bpf4j.elf;

import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies CO-RE relocations (Compile Once, Run Everywhere) to a program's code: each names a local BTF type and an
 * access path; the same path is looked up by name in the target kernel's BTF among the types of the same essential
 * name ({@code task_struct___old} counts as {@code task_struct}) and the instruction's immediate, offset or load
 * size patched to the target's value. When no candidate has the field or enumerator, the instruction becomes
 * {@code call 0xbad2310} as in libbpf: dead code the verifier prunes, or an error naming that instruction.
 */
public final class CoreRelocator {
    /** What was decided for one relocation, for tests and for {@code --debug}. */
    public record Decision(int slot, CoreKind kind, String type, String access, boolean poisoned, long localValue,
                           long targetValue, int candidates) {}

    private final Btf local, target;
    private final Map<Integer, List<Integer>> candidates = new HashMap<>();

    /** Relocates code described by {@code local} (the object's BTF) for {@code target} (usually vmlinux). */
    public CoreRelocator(Btf local, Btf target) {
        this.local = local;
        this.target = target;
    }

    /** Patches {@code code} in place for every site; {@code where} names the program in errors. */
    public List<Decision> apply(byte[] code, List<ObjectProgram.CoreSite> sites, String where) {
        List<Decision> out = new ArrayList<>();
        for (ObjectProgram.CoreSite site : sites) {
            String at = where + ": CO-RE relocation at instruction " + site.slot() + " (" + site.kind().name().toLowerCase(java.util.Locale.ROOT)
                    + " of " + CoreSpec.describe(local, site.typeId()) + " access " + site.access() + ")";
            Result r;
            try {
                r = resolve(site);
            } catch (IllegalArgumentException e) {
                throw new ObjectFormatException(at + ": " + e.getMessage(), e);
            }
            patch(code, site.slot(), r, at);
            out.add(new Decision(site.slot(), site.kind(), local.type(site.typeId()).name(), site.access(), r.poison,
                    r.orig, r.value, r.candidates));
        }
        return out;
    }

    /** A relocation's values: the one compiled in and the target's, or poison. */
    private static final class Result {
        long orig, value;
        int origSize, newSize;
        boolean poison, validate = true, failMemSize;
        int candidates;
    }

    private Result resolve(ObjectProgram.CoreSite site) {
        CoreKind kind = site.kind();
        CoreSpec localSpec = CoreSpec.parse(local, site.typeId(), site.access(), kind);
        Result res = new Result();
        if (kind == CoreKind.TYPE_ID_LOCAL) {
            res.orig = res.value = site.typeId();
            res.validate = false;
            return res;
        }
        BtfType localType = local.type(site.typeId());
        if (localType.name().isEmpty()) throw new IllegalArgumentException("relocations against anonymous types are not supported");
        Result chosen = null;
        CoreSpec chosenSpec = null;
        int matching = 0;
        for (int cand : candidates(localType)) {
            CoreSpec targetSpec;
            if (kind.typeBased()) {
                boolean ok = kind == CoreKind.TYPE_MATCHES
                        ? CoreSpec.typesMatch(local, site.typeId(), target, cand, 32)
                        : CoreSpec.typesCompatible(local, site.typeId(), target, cand, 32);
                targetSpec = ok ? localSpec.matchRoot(target, cand) : null;
            } else {
                targetSpec = localSpec.match(target, cand, kind);
            }
            if (targetSpec == null) continue;
            Result r = calc(kind, localSpec, targetSpec);
            if (chosen == null) {
                chosen = r;
                chosenSpec = targetSpec;
            } else if (targetSpec.bitOffset != chosenSpec.bitOffset) {
                throw new IllegalArgumentException("field offset ambiguity: " + targetSpec.bitOffset + " != " + chosenSpec.bitOffset + " bits");
            } else if (r.poison != chosen.poison || r.value != chosen.value) {
                throw new IllegalArgumentException("relocation decision ambiguity: " + r.value + " != " + chosen.value);
            }
            matching++;
        }
        if (chosen == null) chosen = calc(kind, localSpec, null);
        chosen.candidates = matching;
        return chosen;
    }

    private List<Integer> candidates(BtfType localType) {
        return candidates.computeIfAbsent(localType.id(), id -> {
            String name = CoreSpec.essential(localType.name());
            List<Integer> out = new ArrayList<>();
            // exact names first, then flavoured ones (task_struct___x): both are candidates
            for (int t = 1; t < target.typeCount(); t++) {
                BtfType tt = target.type(t);
                if (!tt.name().startsWith(name) || !CoreSpec.kindsCompatible(localType, tt)) continue;
                if (CoreSpec.essential(tt.name()).equals(name)) out.add(t);
            }
            return out;
        });
    }

    private Result calc(CoreKind kind, CoreSpec localSpec, CoreSpec targetSpec) {
        Result r = new Result();
        if (kind.fieldBased()) {
            Field lf = field(kind, localSpec, r, true);
            if (lf == null) { r.poison = true; return r; }
            r.orig = lf.value;
            r.origSize = lf.size;
            Field tf = field(kind, targetSpec, null, false);
            if (tf == null) { r.poison = true; return r; }
            r.value = tf.value;
            r.newSize = tf.size;
            if (r.origSize != r.newSize) {
                BtfType o = local.resolve(lf.typeId), n = target.resolve(tf.typeId);
                boolean ptrs = o instanceof BtfType.Ptr && n instanceof BtfType.Ptr;
                boolean unsigned = o instanceof BtfType.Int oi && n instanceof BtfType.Int ni && !oi.signed() && !ni.signed();
                r.failMemSize = !ptrs && !unsigned;
            }
        } else if (kind.typeBased()) {
            r.orig = typeValue(kind, localSpec);
            if (kind == CoreKind.TYPE_ID_TARGET) r.validate = false;
            r.value = targetSpec == null ? 0 : typeValue(kind, targetSpec);
        } else {
            r.orig = enumValue(kind, localSpec);
            if (targetSpec == null && kind == CoreKind.ENUMVAL_VALUE) { r.poison = true; return r; }
            r.value = targetSpec == null ? 0 : enumValue(kind, targetSpec);
        }
        return r;
    }

    /** A field relocation's value in one BTF, the load size it implies and the field's type (for size changes). */
    private record Field(long value, int size, int typeId) {}

    private static Field field(CoreKind kind, CoreSpec spec, Result validate, boolean local) {
        if (kind == CoreKind.FIELD_EXISTS) return new Field(spec == null ? 0 : 1, 0, 0);
        if (spec == null) return null;
        Btf btf = spec.btf;
        CoreSpec.Accessor acc = spec.last();
        if (acc.name() == null) { // an array element or the root itself
            if (validate != null) validate.validate = true;
            return switch (kind) {
                case FIELD_BYTE_OFFSET -> new Field(spec.bitOffset / 8, elementSize(btf, acc.typeId()), acc.typeId());
                case FIELD_BYTE_SIZE -> new Field(btf.sizeOf(acc.typeId()), 0, 0);
                default -> throw new IllegalArgumentException("relocation " + kind + " cannot apply to an array element");
            };
        }
        BtfType.Member m = ((BtfType.Composite) btf.type(acc.typeId())).members().get(acc.idx());
        BtfType mt = btf.resolve(m.type());
        long bitOff = spec.bitOffset, bitSize = m.bitfieldSize();
        boolean bitfield = bitSize > 0;
        long byteSize, byteOff;
        if (bitfield) {
            byteSize = btf.sizeOf(mt.id());
            byteOff = bitOff / 8 / byteSize * byteSize;
            while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
                if (byteSize >= 8) throw new IllegalArgumentException("bit-field cannot be read with a 64-bit load");
                byteSize *= 2;
                byteOff = bitOff / 8 / byteSize * byteSize;
            }
        } else {
            byteSize = btf.sizeOf(mt.id());
            if (byteSize < 0) throw new IllegalArgumentException("field type has no size");
            byteOff = bitOff / 8;
            bitSize = byteSize * 8;
        }
        if (validate != null) validate.validate = !bitfield || kind == CoreKind.FIELD_SIGNED || kind == CoreKind.FIELD_RSHIFT_U64;
        return switch (kind) {
            case FIELD_BYTE_OFFSET -> bitfield ? new Field(byteOff, 0, 0) : new Field(byteOff, elementSize(btf, mt.id()), mt.id());
            case FIELD_BYTE_SIZE -> new Field(byteSize, 0, 0);
            case FIELD_SIGNED -> new Field((mt instanceof BtfType.Enumeration e && e.signed())
                    || (mt instanceof BtfType.Int i && i.signed()) ? 1 : 0, 0, 0);
            case FIELD_LSHIFT_U64 -> new Field(64 - (bitOff + bitSize - byteOff * 8), 0, 0);
            case FIELD_RSHIFT_U64 -> new Field(64 - bitSize, 0, 0);
            default -> throw new IllegalStateException();
        };
    }

    /** The size of an array's innermost element (or of a non-array type): what a load of the field reads. */
    private static int elementSize(Btf btf, int id) {
        BtfType t = btf.resolve(id);
        while (t instanceof BtfType.Array a) t = btf.resolve(a.type());
        return (int) btf.sizeOf(t.id());
    }

    private static long typeValue(CoreKind kind, CoreSpec spec) {
        return switch (kind) {
            case TYPE_ID_TARGET, TYPE_ID_LOCAL -> spec.rootId;
            case TYPE_EXISTS, TYPE_MATCHES -> 1;
            case TYPE_SIZE -> spec.btf.sizeOf(spec.rootId);
            default -> throw new IllegalStateException();
        };
    }

    private static long enumValue(CoreKind kind, CoreSpec spec) {
        if (kind == CoreKind.ENUMVAL_EXISTS) return 1;
        CoreSpec.Accessor acc = spec.last();
        return ((BtfType.Enumeration) spec.btf.type(acc.typeId())).values().get(acc.idx()).value();
    }

    private static void patch(byte[] code, int slot, Result r, String at) {
        if (slot < 0 || slot >= RawCode.slots(code)) throw new ObjectFormatException(at + ": no such instruction");
        if (r.poison) {
            if (RawCode.isLdImm64(code, slot)) RawCode.poison(code, slot + 1);
            RawCode.poison(code, slot);
            return;
        }
        int op = RawCode.opcode(code, slot), cls = op & 7;
        switch (cls) {
            case RawCode.CLASS_ALU, RawCode.CLASS_ALU64 -> {
                if ((op & 0x08) != 0) throw new ObjectFormatException(at + ": ALU instruction with a register source");
                if (r.validate && RawCode.imm(code, slot) != (int) r.orig)
                    throw new ObjectFormatException(at + ": instruction has immediate " + RawCode.imm(code, slot) + ", expected " + r.orig);
                RawCode.setImm(code, slot, (int) r.value);
            }
            case RawCode.CLASS_LDX, RawCode.CLASS_ST, RawCode.CLASS_STX -> {
                if (r.validate && RawCode.offset(code, slot) != r.orig)
                    throw new ObjectFormatException(at + ": instruction has offset " + RawCode.offset(code, slot) + ", expected " + r.orig);
                if (r.value > Short.MAX_VALUE) throw new ObjectFormatException(at + ": offset " + r.value + " does not fit");
                if (r.failMemSize) {
                    if (RawCode.isLdImm64(code, slot)) RawCode.poison(code, slot + 1);
                    RawCode.poison(code, slot);
                    return;
                }
                RawCode.setOffset(code, slot, (int) r.value);
                if (r.newSize != r.origSize) {
                    int size = switch (op & 0x18) { case 0x00 -> 4; case 0x08 -> 2; case 0x10 -> 1; default -> 8; };
                    if (size != r.origSize) throw new ObjectFormatException(at + ": loads " + size + " bytes of a " + r.origSize + "-byte field");
                    int bits = switch (r.newSize) {
                        case 1 -> 0x10; case 2 -> 0x08; case 4 -> 0x00; case 8 -> 0x18;
                        default -> throw new ObjectFormatException(at + ": the target field is " + r.newSize + " bytes");
                    };
                    RawCode.setOpcode(code, slot, (op & ~0x18) | bits);
                }
            }
            case RawCode.CLASS_LD -> {
                if (!RawCode.isLdImm64(code, slot) || RawCode.src(code, slot) != 0)
                    throw new ObjectFormatException(at + ": not a plain lddw");
                if (r.validate && RawCode.imm64(code, slot) != r.orig)
                    throw new ObjectFormatException(at + ": lddw holds " + RawCode.imm64(code, slot) + ", expected " + r.orig);
                RawCode.setImm64(code, slot, r.value);
            }
            default -> throw new ObjectFormatException(at + ": instruction " + String.format("0x%02x", op) + " cannot be relocated");
        }
    }
}
