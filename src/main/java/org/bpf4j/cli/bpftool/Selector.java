package org.bpf4j.cli.bpftool;

import org.bpf4j.UserException;
import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.Fd;
import org.bpf4j.sys.ObjInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * bpftool's object selectors: {@code id N}, {@code name NAME}, {@code tag TAG} (programs) and
 * {@code pinned PATH}. Parses the words at the head of a verb's arguments and opens the matching objects.
 */
record Selector(String keyword, String value, int used) {
    /** Parses a selector from {@code args} at {@code at}; {@code what} names the command in errors. */
    static Selector parse(List<String> args, int at, String what, boolean tags) {
        String expected = tags ? "id, name, tag or pinned" : "id, name or pinned";
        if (args.size() <= at) throw new UserException(what + ": expected " + expected);
        String kw = args.get(at);
        if (!List.of("id", "name", "pinned").contains(kw) && !(tags && kw.equals("tag")))
            throw new UserException(what + ": expected " + expected + ", got '" + kw + "'");
        if (args.size() <= at + 1) throw new UserException(what + ": " + kw + " needs a value");
        String v = args.get(at + 1);
        if (kw.equals("id")) {
            try {
                if (Integer.parseUnsignedInt(v) == 0) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw new UserException(what + ": id '" + v + "' is not a positive number");
            }
        }
        if (kw.equals("tag") && !v.matches("[0-9a-fA-F]{16}"))
            throw new UserException(what + ": tag '" + v + "' is not 16 hex digits");
        return new Selector(kw, v, 2);
    }

    /** Whether the selector names exactly one object by construction (an id or a pinned path). */
    boolean single() { return keyword.equals("id") || keyword.equals("pinned"); }

    /**
     * Descriptors for the matching objects (the caller closes them). {@code nameAndTag} reads an open object's
     * name and tag ("" for maps) to match {@code name} and {@code tag} selectors. None found is the user's error.
     */
    List<Fd> open(BpfCmd nextId, BpfCmd getFd, String kind, Function<Fd, String[]> nameAndTag, String what) {
        List<Fd> out = new ArrayList<>();
        switch (keyword) {
            case "id" -> out.add(Inspect.require(getFd, Integer.parseUnsignedInt(value), kind));
            case "pinned" -> {
                try {
                    out.add(ObjInfo.fdByPath(value));
                } catch (org.bpf4j.BpfException e) {
                    throw new UserException(kind + " pinned at " + value + ": " + org.bpf4j.sys.Errno.describe(e.errno()));
                }
            }
            default -> {
                for (int id : Inspect.ids(nextId)) {
                    var fd = Inspect.open(getFd, id);
                    if (fd.isEmpty()) continue;
                    String[] nt = nameAndTag.apply(fd.get());
                    boolean match = keyword.equals("name") ? nt[0].equals(value) : nt[1].equalsIgnoreCase(value);
                    if (match) out.add(fd.get());
                    else fd.get().close();
                }
                if (out.isEmpty()) throw new UserException("no " + kind + " with " + keyword + " " + value);
            }
        }
        // a pinned path may hold another kind of object: its fdinfo says what it is
        String idKey = kind.equals("program") ? "prog_id" : kind + "_id";
        for (Fd fd : out) {
            if (org.bpf4j.sys.FdInfo.self(fd, idKey).isEmpty()) {
                out.forEach(Fd::close);
                throw new UserException(what + ": " + keyword + " " + value + " is not a " + kind);
            }
        }
        return out;
    }
}
