package org.bpf4j.btf;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's checks of BTF's meaning (btf_check_meta, btf_resolve) that bpf4j's readers rely on: sizes an int,
 * enum or float may have, and no type that is its own pointee, element or member. Without them a blob a user
 * hands over ends in a division by zero or an endless walk instead of a {@link BtfFormatException}.
 */
final class BtfCheck {
    private final Btf btf;
    private final int firstId;
    private final String source;

    private BtfCheck(Btf btf, int firstId, String source) {
        this.btf = btf;
        this.firstId = firstId;
        this.source = source;
    }

    /** Checks the types {@code firstId..} of {@code btf} (those of a base were checked when it was read). */
    static void check(Btf btf, int firstId, String source) {
        BtfCheck c = new BtfCheck(btf, firstId, source);
        for (int id = firstId; id < btf.typeCount(); id++) c.sizes(btf.type(id));
        // a chain of references (pointer, typedef, qualifier, array, var, func, a function's return and parameter
        // types) must end somewhere: C cannot write a function type that takes or returns itself
        c.acyclic(t -> switch (t) {
            case BtfType.Ref r -> new int[] {r.type()};
            case BtfType.FuncProto f -> java.util.stream.IntStream.concat(java.util.stream.IntStream.of(f.returnType()),
                    f.params().stream().mapToInt(BtfType.Param::type)).toArray();
            default -> new int[0];
        }, "refers to itself through a chain of references");
        // a value cannot contain itself: members, array elements and typedefs, not pointers
        c.acyclic(t -> switch (t) {
            case BtfType.Ptr p -> new int[0];
            case BtfType.Func f -> new int[0];
            case BtfType.DeclTag d -> new int[0];
            case BtfType.Ref r -> new int[] {r.type()};
            case BtfType.Composite s -> s.members().stream().mapToInt(BtfType.Member::type).toArray();
            default -> new int[0];
        }, "contains itself");
    }

    private void sizes(BtfType t) {
        switch (t) {
            case BtfType.Int i -> {
                if (!List.of(1, 2, 4, 8, 16).contains(i.size())) throw bad(t, "int size " + Integer.toUnsignedString(i.size()) + ", not 1, 2, 4, 8 or 16");
                if (i.bitOffset() + i.bits() > 8 * i.size()) throw bad(t, "int of " + i.bits() + " bits at bit " + i.bitOffset() + " does not fit its " + i.size() + " bytes");
            }
            case BtfType.Enumeration e -> {
                if (!List.of(1, 2, 4, 8).contains(e.size())) throw bad(t, "enum size " + Integer.toUnsignedString(e.size()) + ", not 1, 2, 4 or 8");
            }
            case BtfType.Float f -> {
                if (!List.of(2, 4, 8, 12, 16).contains(f.size())) throw bad(t, "float size " + Integer.toUnsignedString(f.size()) + ", not 2, 4, 8, 12 or 16");
            }
            case BtfType.Composite c -> {
                if (c.size() < 0) throw bad(t, "size " + Integer.toUnsignedString(c.size()) + " over 2 GiB");
                for (BtfType.Member m : c.members())
                    if (m.bitOffset() < 0 || m.bitfieldSize() < 0 || m.bitfieldSize() > 128)
                        throw bad(t, "member '" + m.name() + "' at bit " + Integer.toUnsignedString(m.bitOffset()) + " out of range");
            }
            case BtfType.Datasec d -> {
                if (d.size() < 0) throw bad(t, "size " + Integer.toUnsignedString(d.size()) + " over 2 GiB");
            }
            default -> { }
        }
    }

    /**
     * How deep types may nest (by reference or by containment): the dumps and size computations walk the chain
     * recursively. The kernel's own bound (MAX_RESOLVE_DEPTH) is 32; this one leaves room.
     */
    static final int MAX_DEPTH = 256;

    /**
     * Fails on the first cycle of {@code edges} among this BTF's types, or on a chain longer than
     * {@link #MAX_DEPTH} (an iterative depth-first search).
     */
    private void acyclic(java.util.function.Function<BtfType, int[]> edges, String what) {
        int n = btf.typeCount();
        byte[] state = new byte[n]; // 0 new, 1 on the path, 2 done
        int[] depth = new int[n];
        for (int root = firstId; root < n; root++) {
            if (state[root] != 0) continue;
            List<int[]> stack = new ArrayList<>(); // {id, next edge}
            stack.add(new int[] {root, 0});
            state[root] = 1;
            while (!stack.isEmpty()) {
                int[] top = stack.getLast();
                int[] out = edges.apply(btf.type(top[0]));
                if (top[1] == out.length) {
                    state[top[0]] = 2;
                    int d = 1;
                    for (int o : out) if (o >= firstId && o < n) d = Math.max(d, depth[o] + 1);
                    depth[top[0]] = d;
                    if (d > MAX_DEPTH) throw bad(btf.type(top[0]), "types nest more than " + MAX_DEPTH + " levels deep");
                    stack.removeLast();
                    continue;
                }
                int next = out[top[1]++];
                if (next < firstId || next >= n || state[next] == 2) continue;
                if (state[next] == 1) throw bad(btf.type(next), what);
                state[next] = 1;
                stack.add(new int[] {next, 0});
            }
        }
    }

    private BtfFormatException bad(BtfType t, String why) {
        return new BtfFormatException(source + ": type " + t.id() + " (" + t.kind() + " '" + t.name() + "'): " + why);
    }
}
