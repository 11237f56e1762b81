package org.bpf4j.lang.codegen;

import org.bpf4j.lang.sema.MapDecl;
import org.bpf4j.lang.sema.Type;
import org.bpf4j.map.MapSpec;

/**
 * A kernel map the compiled script needs: a user map ({@code decl} not null) with its key and value layouts,
 * or one of the runtime's own maps (events, stacks, scratch buffers).
 *
 * @param decl  the script's map, or null for an internal one
 * @param spec  what to create
 * @param key   the key layout: the user's key (u64 0 for a map without keys), followed for hist and lhist
 *              by a u64 bucket number, as a tuple
 * @param value the stored value's layout
 */
public record MapPlan(MapDecl decl, MapSpec spec, Type.Tuple key, Type value) {
    /** The kernel name programs refer to it by. */
    public String name() { return spec.name(); }

    /** True for one of the script's own maps. */
    public boolean user() { return decl != null; }

    /** The user's part of the key (a tuple for several keys), or null for a map without keys. */
    public Type userKey() { return decl == null ? null : decl.key(); }

    /** The name of the stack map holding stacks of at most {@code limit} frames (one map per depth). */
    public static String stacks(int limit) {
        return limit == Type.STACK_LIMIT ? Context.STACKS : Context.STACKS + "_" + limit;
    }
}
