package org.bpf4j.tools;

/**
 * One of BCC's probe specifiers, as its generic tools (funccount, trace, argdist) write them, read into what it
 * names and turned into the tracing language's attach point: {@code t:cat:event} a tracepoint, {@code u:lib:probe}
 * (or {@code u:lib:provider:probe}) a USDT probe, {@code p:lib:func} / {@code lib:func} a uprobe ({@code r:} its
 * return), {@code p::func} / {@code func} a kernel function (a kprobe, {@code r::func} a kretprobe), which kernels
 * without kprobes refuse when it is loaded ({@code org.bpf4j.tool.ToolException.NotSupported}).
 *
 * @param kind      what is probed
 * @param library   the library or executable of a uprobe or USDT probe ({@code c} is libc); empty for the kernel
 * @param category  a tracepoint's category, a USDT probe's provider (may be empty); empty otherwise
 * @param name      the function, tracepoint event or USDT probe name (may hold {@code *} wildcards)
 * @param offset    an offset into the function ({@code func+0x12}), 0 for its entry
 */
public record ProbeSpec(Kind kind, String library, String category, String name, long offset) {
    /** What a specifier probes, with BCC's letter for it. */
    public enum Kind {
        /** A function's entry: {@code p}. */
        ENTRY('p'),
        /** A function's return: {@code r}. */
        RETURN('r'),
        /** A kernel tracepoint: {@code t}. */
        TRACEPOINT('t'),
        /** A USDT probe: {@code u}. */
        USDT('u');

        private final char letter;

        Kind(char letter) { this.letter = letter; }

        /** BCC's letter. */
        public char letter() { return letter; }

        /** The kind BCC writes as {@code letter}, or null. */
        static Kind of(String letter) {
            for (Kind k : values()) if (letter.length() == 1 && k.letter == letter.charAt(0)) return k;
            return null;
        }
    }

    /** A specifier BCC would refuse, with the tool's message. */
    public static final class BadSpec extends IllegalArgumentException {
        /** {@code message} says what is wrong, in BCC's words where BCC has them. */
        public BadSpec(String message) { super(message); }
    }

    /**
     * Reads {@code spec} as BCC's trace reads it: one part is a kernel function, two are {@code lib:func}, an empty
     * type is {@code p}; a library may hold {@code :} ({@code p:/a:b:func}); {@code +OFFSET} (decimal or hex) ends a
     * function. {@code letters} are the kinds the tool takes ("ptu" for funccount, "prtu" for trace).
     */
    public static ProbeSpec parse(String spec, String letters) {
        String[] p = spec.split(":", -1);
        if (p.length == 1) p = new String[] {"p", "", p[0]};
        else if (p.length == 2) p = new String[] {"p", p[0], p[1]};
        Kind kind = p[0].isEmpty() ? Kind.ENTRY : Kind.of(p[0]);
        if (kind == null || letters.indexOf(kind.letter) < 0) throw new BadSpec("probe type must be " + quoted(letters) + ", but got '" + p[0] + "'");
        String last = p[p.length - 1];
        long offset = 0;
        int plus = last.indexOf('+');
        if (plus >= 0 && (kind == Kind.ENTRY || kind == Kind.RETURN)) {
            String off = last.substring(plus + 1);
            try {
                offset = off.startsWith("0x") || off.startsWith("0X") ? Long.parseLong(off.substring(2), 16) : Long.parseLong(off);
            } catch (NumberFormatException e) {
                throw new BadSpec("invalid offset format  '" + off + "', must be decimal or hexadecimal");
            }
            last = last.substring(0, plus);
        }
        return switch (kind) {
            case TRACEPOINT -> {
                if (p.length != 3) throw new BadSpec("a tracepoint is t:category:event, not " + spec);
                yield new ProbeSpec(kind, "", p[1], p[2], 0);
            }
            case USDT -> {
                if (p.length > 4) throw new BadSpec("a USDT probe is u:library[:provider]:probe, not " + spec);
                yield new ProbeSpec(kind, p[1], p.length == 4 ? p[2] : "", last, 0);
            }
            default -> new ProbeSpec(kind, String.join(":", java.util.Arrays.asList(p).subList(1, p.length - 1)), "", last, offset);
        };
    }

    private static String quoted(String letters) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < letters.length(); i++) {
            if (i > 0) sb.append(i == letters.length() - 1 ? ", or " : ", ");
            sb.append('\'').append(letters.charAt(i)).append('\'');
        }
        return sb.toString();
    }

    /** True for a kernel function (kprobe or kretprobe). */
    public boolean kernelFunction() {
        return (kind == Kind.ENTRY || kind == Kind.RETURN) && library.isEmpty();
    }

    /** The tracing language's attach point ({@code tracepoint:cat:event}, {@code uprobe:lib:func+off}, ...). */
    public String attachPoint() {
        String off = offset == 0 ? "" : "+" + offset;
        return switch (kind) {
            case TRACEPOINT -> "tracepoint:" + category + ":" + name;
            case USDT -> "usdt:" + library + ":" + (category.isEmpty() ? "" : category + ":") + name;
            case ENTRY -> library.isEmpty() ? "kprobe:" + name + off : "uprobe:" + library + ":" + name + off;
            case RETURN -> library.isEmpty() ? "kretprobe:" + name : "uretprobe:" + library + ":" + name;
        };
    }

    /** What BCC's trace shows in its FUNC column: the function, the tracepoint's event, the USDT probe's name. */
    public String display() {
        return name;
    }
}
