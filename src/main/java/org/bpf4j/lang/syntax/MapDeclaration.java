package org.bpf4j.lang.syntax;

/**
 * v0.26's top-level map declaration {@code let @m = hash(N);}: the kind of map and its most entries, which the
 * code generator makes the map with instead of the default (max_map_keys).
 *
 * @param name    the map, with its {@code @}
 * @param kind    the declared kind
 * @param entries the most entries it holds (positive)
 * @param span    where it is declared
 */
public record MapDeclaration(String name, Kind kind, long entries, Span span) {
    /** The kinds v0.26 declares: {@code hash}, {@code lruhash}, {@code percpuhash}, {@code percpulruhash}. */
    public enum Kind {
        /** A hash map: an update of a new key fails when it is full ({@code Map full}). */
        HASH("hash", false),
        /** A hash map that evicts its least recently used entry when full. */
        LRUHASH("lruhash", true),
        /** A per-CPU hash map: updates of a new key fail when it is full. */
        PERCPUHASH("percpuhash", false),
        /** A per-CPU hash map that evicts when full. */
        PERCPULRUHASH("percpulruhash", true);

        private final String word;
        private final boolean evicts;

        Kind(String word, boolean evicts) {
            this.word = word;
            this.evicts = evicts;
        }

        /** The word of the language. */
        public String word() { return word; }

        /** True when a full map makes room instead of refusing a new key. */
        public boolean evicts() { return evicts; }

        /** The kind named {@code word}, or null. */
        public static Kind of(String word) {
            for (Kind k : values()) if (k.word.equals(word)) return k;
            return null;
        }
    }
}
