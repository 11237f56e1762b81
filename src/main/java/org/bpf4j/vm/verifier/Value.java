package org.bpf4j.vm.verifier;

import org.bpf4j.map.MapSpec;

import java.util.Objects;

/** What the verifier knows of a register or a spilled stack slot: not initialised, a number, or a pointer. */
sealed interface Value {
    /** Never written: reading it is an error ({@code !read_ok}). */
    record Uninit() implements Value {
        @Override
        public String toString() { return "uninit"; }
    }

    /** A number. */
    record Num(Scalar s) implements Value {
        @Override
        public String toString() { return s.toString(); }
    }

    /** What a pointer points into. */
    enum Kind {
        /** The program's context ({@code PTR_TO_CTX}), {@code size} bytes. */
        CTX("ctx"),
        /** A stack frame ({@code PTR_TO_STACK}): offsets from that frame's r10, -512 to 0. */
        STACK("fp"),
        /** A map value ({@code PTR_TO_MAP_VALUE}), maybe null ({@code _OR_NULL}). */
        MAP_VALUE("map_value"),
        /** A map itself ({@code CONST_PTR_TO_MAP}): only for helpers. */
        MAP("map_ptr"),
        /** Sized memory ({@code PTR_TO_MEM}). */
        MEM("mem"),
        /**
         * Packet data ({@code PTR_TO_PACKET}): {@code size} is the range from the packet's start that a comparison
         * with the end has shown to be there.
         */
        PACKET("pkt"),
        /** The end of the packet ({@code PTR_TO_PACKET_END}): only for comparisons. */
        PACKET_END("pkt_end");

        final String text;

        Kind(String text) { this.text = text; }
    }

    /**
     * A pointer: its kind, its offset from the start of what it points into (for the stack: from the frame's
     * r10), the stack frame or map it belongs to, and, for a pointer that may be null, the id shared by its
     * copies so that one null check covers them all.
     */
    record Ptr(Kind kind, Scalar off, int frame, MapSpec map, int size, int id, boolean nullable) implements Value {
        public Ptr {
            Objects.requireNonNull(kind);
            Objects.requireNonNull(off);
        }

        Ptr withOff(Scalar o) { return new Ptr(kind, o, frame, map, size, id, nullable); }

        Ptr nonNull() { return new Ptr(kind, off, frame, map, size, 0, false); }

        Ptr withSize(int s) { return new Ptr(kind, off, frame, map, s, id, nullable); }

        /** Whether both point into the same object (their offsets may differ; packet pointers their known ranges). */
        boolean sameRegion(Ptr o) {
            return kind == o.kind && frame == o.frame && (size == o.size || kind == Kind.PACKET) && Objects.equals(map, o.map);
        }

        @Override
        public String toString() {
            String base = kind.text + (nullable ? "_or_null" : "") + (kind == Kind.STACK && frame > 0 ? "[frame " + frame + "]" : "")
                    + (kind == Kind.PACKET ? "(r=" + size + ")" : "")
                    + (map != null ? "(" + map.name() + ")" : "");
            return off.isConst() && off.value() == 0 ? base : base + (off.isConst() ? (off.value() > 0 ? "+" : "") + off.value() : "+" + off);
        }
    }

    Value UNINIT = new Uninit();

    static Value num(Scalar s) { return new Num(s); }

    static Value num(long v) { return new Num(Scalar.constant(v)); }
}
