package org.bpf4j.cli.bpftool;

import org.bpf4j.BpfException;
import org.bpf4j.UserException;
import org.bpf4j.map.BpfMap;
import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapInfo;
import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.Errno;
import org.bpf4j.sys.Fd;
import org.bpf4j.sys.FdInfo;
import org.bpf4j.sys.Privileges;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code bpf4j map}: bpftool's map verbs. */
@Command(name = "map", mixinStandardHelpOptions = true, description = "Inspect and edit BPF maps, as bpftool map.",
        subcommands = {MapCommand.Show.class, MapCommand.Dump.class, MapCommand.Lookup.class, MapCommand.Update.class,
                MapCommand.Delete.class})
public final class MapCommand extends VerbGroup {
    @Override
    String verbs() { return "show, list, dump, lookup, update or delete"; }

    static List<Fd> open(Selector s, String what) {
        return s.open(BpfCmd.MAP_GET_NEXT_ID, BpfCmd.MAP_GET_FD_BY_ID, "map",
                fd -> new String[] {MapInfo.read(fd.value()).name(), ""}, what);
    }

    /** Opens exactly one map for the element verbs. */
    static KernelMap openOne(Selector s, String what) {
        List<Fd> fds = open(s, what);
        if (fds.size() != 1) {
            fds.forEach(Fd::close);
            throw new UserException(what + ": " + s.keyword() + " " + s.value() + " matches " + fds.size() + " maps; use id");
        }
        return KernelMap.open(fds.getFirst());
    }

    /** bpftool's parse_bytes: {@code [hex] B1 B2 ...}, exactly {@code n} bytes; returns the next index. */
    static int parseBytes(List<String> args, int at, String name, byte[] into, String what) {
        int base = 0;
        if (at < args.size() && args.get(at).equals("hex")) {
            base = 16;
            at++;
        }
        int i = 0;
        while (i < into.length && at + i < args.size()) {
            String word = args.get(at + i);
            long v;
            try {
                v = base == 16 ? Long.parseLong(word, 16) : Long.decode(word);
            } catch (NumberFormatException e) {
                if (i > 0 && isKeyword(word)) break;
                throw new UserException(what + ": " + name + " byte " + i + ": cannot parse '" + word + "'");
            }
            if (v < 0 || v > 255) throw new UserException(what + ": " + name + " byte " + i + ": '" + word + "' is not a byte (0-255)");
            into[i++] = (byte) v;
        }
        if (i != into.length) throw new UserException(what + ": " + name + " expected " + into.length + " bytes got " + i);
        return at + i;
    }

    private static boolean isKeyword(String w) {
        return List.of("key", "value", "any", "exist", "noexist").contains(w);
    }

    /** {@code map show [id N | name NAME | pinned PATH]}, also {@code map list}. */
    @Command(name = "show", aliases = "list", mixinStandardHelpOptions = true,
            description = "Show every map, or the ones selected by id, name or pinned path.")
    static final class Show implements Callable<Integer> {
        @CommandLine.ParentCommand MapCommand parent;
        @Parameters(arity = "0..2", paramLabel = "SELECTOR", description = "id N | name NAME | pinned PATH")
        List<String> args = new ArrayList<>();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Privileges.requireBpf("map show");
            PrintWriter out = spec.commandLine().getOut();
            if (args.isEmpty()) {
                parent.output.print(out, Inspect.maps(), false, MapFormat::text, MapFormat::json);
                return 0;
            }
            Selector s = Selector.parse(args, 0, "map show", false);
            if (args.size() > s.used()) throw new UserException("map show: unexpected '" + args.get(s.used()) + "'");
            List<Inspect.MapView> maps = new ArrayList<>();
            List<Fd> fds = open(s, "map show");
            try {
                for (Fd fd : fds) maps.add(Inspect.map(fd));
            } finally {
                fds.forEach(Fd::close);
            }
            parent.output.print(out, maps, maps.size() == 1, MapFormat::text, MapFormat::json);
            return 0;
        }
    }

    /** {@code map dump MAP}: every entry. */
    @Command(name = "dump", mixinStandardHelpOptions = true, description = "Print every entry of a map.")
    static final class Dump implements Callable<Integer> {
        @CommandLine.ParentCommand MapCommand parent;
        @Parameters(arity = "2", paramLabel = "SELECTOR", description = "id N | name NAME | pinned PATH")
        List<String> args = new ArrayList<>();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Selector s = Selector.parse(args, 0, "map dump", false);
            Privileges.requireBpf("map dump");
            PrintWriter out = spec.commandLine().getOut();
            try (KernelMap map = openOne(s, "map dump")) {
                MapInfo info = map.info();
                if (info.keySize() == 0)
                    throw new UserException("map dump: map id " + info.id() + " is a " + MapFormat.typeName(info) + " map, which has no keys to walk");
                org.bpf4j.btf.Btf btf = MapEntries.btf(info);
                boolean typed = parent.output.json() || btf != null;  // plain text of a typed map is pretty JSON
                Json json = parent.output.json() ? parent.output.writer() : new Json(true);
                if (typed) json.beginArray();
                int n = 0;
                StringBuilder text = new StringBuilder();
                byte[] prev = null;
                while (true) {
                    Optional<byte[]> next = map.nextKey(prev);
                    if (next.isEmpty()) break;
                    byte[] key = next.get();
                    prev = key;
                    Optional<byte[]> value;
                    try {
                        value = map.lookup(key);
                    } catch (BpfException e) {
                        if (parent.output.json()) MapEntries.errorJson(info, key, e.errno(), json);
                        else {
                            String t = MapEntries.errorText(info, key, e.errno());
                            if (t != null) text.append(t);
                        }
                        continue;
                    }
                    if (value.isEmpty()) {
                        if (parent.output.json()) MapEntries.errorJson(info, key, Errno.ENOENT, json);
                        else {
                            String t = MapEntries.errorText(info, key, Errno.ENOENT);
                            if (t != null) text.append(t);
                        }
                        continue;
                    }
                    if (parent.output.json()) MapEntries.json(info, key, value.get(), json, btf);
                    else if (btf != null) MapEntries.btfEntry(info, btf, key, value.get(), json, true);
                    else text.append(MapEntries.text(info, key, value.get()));
                    n++;
                }
                if (typed) {
                    json.endArray();
                    out.print(text);
                    out.print(json.text());
                } else {
                    out.print(text);
                    out.println("Found " + n + " element" + (n != 1 ? "s" : ""));
                }
            }
            out.flush();
            return 0;
        }
    }

    /** {@code map lookup MAP key [hex] BYTES}. */
    @Command(name = "lookup", mixinStandardHelpOptions = true, description = "Print the value stored under a key.")
    static final class Lookup implements Callable<Integer> {
        @CommandLine.ParentCommand MapCommand parent;
        @Parameters(arity = "3..*", paramLabel = "ARG", description = "id N | name NAME | pinned PATH  key [hex] BYTES...")
        List<String> args = new ArrayList<>();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Selector s = Selector.parse(args, 0, "map lookup", false);
            Privileges.requireBpf("map lookup");
            PrintWriter out = spec.commandLine().getOut();
            try (KernelMap map = openOne(s, "map lookup")) {
                MapInfo info = map.info();
                byte[] key = new byte[info.keySize()];
                int at = s.used();
                if (at >= args.size() || !args.get(at).equals("key")) throw new UserException("map lookup: expected key");
                at = parseBytes(args, at + 1, "key", key, "map lookup");
                if (at != args.size()) throw new UserException("map lookup: unexpected '" + args.get(at) + "'");
                Optional<byte[]> value;
                try {
                    value = map.lookup(key);
                } catch (BpfException e) {
                    throw new UserException("map lookup: lookup failed: " + Errno.describe(e.errno()));
                }
                if (value.isEmpty()) {
                    if (parent.output.json()) out.print(parent.output.writer().nullValue().text());
                    else out.print("key:\n" + MapEntries.hex(key, 0, key.length) + "\n\nNot found\n");
                    out.flush();
                    return 1;
                }
                org.bpf4j.btf.Btf btf = MapEntries.btf(info);
                if (parent.output.json()) {
                    Json json = parent.output.writer();
                    MapEntries.json(info, key, value.get(), json, btf);
                    out.print(json.text());
                } else if (btf != null) {
                    Json json = new Json(true);
                    MapEntries.btfEntry(info, btf, key, value.get(), json, true);
                    out.print(json.text());
                } else {
                    out.print(MapEntries.text(info, key, value.get()));
                }
            }
            out.flush();
            return 0;
        }
    }

    /** {@code map update MAP key [hex] BYTES value [hex] BYTES [any|exist|noexist]}. */
    @Command(name = "update", mixinStandardHelpOptions = true, description = "Store a value under a key.")
    static final class Update implements Callable<Integer> {
        @CommandLine.ParentCommand MapCommand parent;
        @Parameters(arity = "5..*", paramLabel = "ARG", description = "id N | name NAME | pinned PATH  key [hex] BYTES  value [hex] BYTES  [any|exist|noexist]")
        List<String> args = new ArrayList<>();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Selector s = Selector.parse(args, 0, "map update", false);
            Privileges.requireBpf("map update");
            PrintWriter out = spec.commandLine().getOut();
            try (KernelMap map = openOne(s, "map update")) {
                MapInfo info = map.info();
                byte[] key = new byte[info.keySize()];
                byte[] one = new byte[info.valueSize()];
                int at = s.used();
                if (at >= args.size() || !args.get(at).equals("key")) throw new UserException("map update: expected key");
                at = parseBytes(args, at + 1, "key", key, "map update");
                if (at >= args.size() || !args.get(at).equals("value")) throw new UserException("map update: expected value after the key");
                at = parseBytes(args, at + 1, "value", one, "map update");
                BpfMap.UpdateFlag flag = BpfMap.UpdateFlag.ANY;
                if (at < args.size()) {
                    flag = switch (args.get(at)) {
                        case "any" -> BpfMap.UpdateFlag.ANY;
                        case "exist" -> BpfMap.UpdateFlag.EXIST;
                        case "noexist" -> BpfMap.UpdateFlag.NOEXIST;
                        default -> throw new UserException("map update: unexpected '" + args.get(at) + "' (expected any, exist or noexist)");
                    };
                    at++;
                }
                if (at != args.size()) throw new UserException("map update: unexpected '" + args.get(at) + "'");
                // a per-CPU map takes one value per CPU: bpftool stores the same one on each
                byte[] value = new byte[map.valueBytes()];
                int step = KernelMap.perCpu(info.type()) ? (info.valueSize() + 7) / 8 * 8 : info.valueSize();
                for (int off = 0; off + info.valueSize() <= value.length && step > 0; off += step)
                    System.arraycopy(one, 0, value, off, one.length);
                try {
                    map.update(key, value, flag);
                } catch (BpfException e) {
                    throw new UserException("map update: update failed: " + Errno.describe(e.errno()));
                }
            }
            if (parent.output.json()) out.print(parent.output.writer().nullValue().text());
            out.flush();
            return 0;
        }
    }

    /** {@code map delete MAP key [hex] BYTES}. */
    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove a key.")
    static final class Delete implements Callable<Integer> {
        @CommandLine.ParentCommand MapCommand parent;
        @Parameters(arity = "3..*", paramLabel = "ARG", description = "id N | name NAME | pinned PATH  key [hex] BYTES")
        List<String> args = new ArrayList<>();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Selector s = Selector.parse(args, 0, "map delete", false);
            Privileges.requireBpf("map delete");
            PrintWriter out = spec.commandLine().getOut();
            try (KernelMap map = openOne(s, "map delete")) {
                byte[] key = new byte[map.info().keySize()];
                int at = s.used();
                if (at >= args.size() || !args.get(at).equals("key")) throw new UserException("map delete: expected key");
                at = parseBytes(args, at + 1, "key", key, "map delete");
                if (at != args.size()) throw new UserException("map delete: unexpected '" + args.get(at) + "'");
                boolean deleted;
                try {
                    deleted = map.delete(key);
                } catch (BpfException e) {
                    throw new UserException("map delete: delete failed: " + Errno.describe(e.errno()));
                }
                if (!deleted) throw new UserException("map delete: delete failed: " + Errno.describe(Errno.ENOENT));
            }
            if (parent.output.json()) out.print(parent.output.writer().nullValue().text());
            out.flush();
            return 0;
        }
    }
}
