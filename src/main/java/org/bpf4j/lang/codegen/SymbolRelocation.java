package org.bpf4j.lang.codegen;

import org.bpf4j.lang.syntax.Span;

import java.util.Objects;

/**
 * A kernel symbol's address that the code generator left for the loader, as a linker's relocation: the lddw at
 * instruction {@code index} (lddw counted once) loads 0 until the runtime fills in the address of {@code symbol}
 * (from /proc/kallsyms) before the program is loaded. Keeping the look-up out of the code generator lets a script
 * compile ({@code -d codegen}, {@code --dry-run}) on a machine where the symbol is not listed, and gives one
 * message at load, at {@code span}, when it is not.
 *
 * @param index  the instruction index of the lddw
 * @param symbol the kernel symbol ({@code kaddr("avenrun")}: {@code avenrun})
 * @param span   the script span of the call, for the error
 */
public record SymbolRelocation(int index, String symbol, Span span) {
    /** Requires a non-negative index and a symbol. */
    public SymbolRelocation {
        Objects.requireNonNull(symbol, "symbol");
        Objects.requireNonNull(span, "span");
        if (index < 0) throw new IllegalArgumentException("negative instruction index " + index);
    }
}
