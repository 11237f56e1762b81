package org.bpf4j.cli.bpftool;

import org.bpf4j.BpfException;
import org.bpf4j.UserException;
import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfType;
import org.bpf4j.link.LinkInfo;
import org.bpf4j.map.MapInfo;
import org.bpf4j.prog.ProgramInfo;
import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.Errno;
import org.bpf4j.sys.Fd;
import org.bpf4j.sys.FdInfo;
import org.bpf4j.sys.ObjInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fetches what the inspection verbs show, as plain records: every program, map and link on the machine by id,
 * with the parts bpftool reads from /proc/self/fdinfo. Formatting is elsewhere ({@link ProgFormat} and friends).
 */
public final class Inspect {
    private Inspect() {}

    /** A program as {@code prog show} prints it. {@code memlock} is null when fdinfo has none. */
    public record Prog(ProgramInfo info, String fullName, String memlock) {}

    /** A map as {@code map show} prints it. Owner fields are null unless it is a prog array with an owner. */
    public record MapView(MapInfo info, String memlock, int frozen, String ownerProgType, String ownerJited) {}

    /** A BTF object as {@code btf show} prints it, with the programs and maps that use it (newest first, as bpftool). */
    public record BtfView(int id, int size, String name, boolean kernel, List<Integer> progIds, List<Integer> mapIds) {}

    // struct bpf_btf_info: btf @0, btf_size @8, id @12, name @16, name_len @24, kernel_btf @28.
    private static final int BTF_INFO_SIZE = 32;

    /** Every BTF object, in id order, with the ids of the programs and maps that refer to it. */
    public static List<BtfView> btfs() {
        java.util.Map<Integer, List<Integer>> progs = new java.util.HashMap<>(), maps = new java.util.HashMap<>();
        for (Prog p : programs()) if (p.info().btfId() != 0) progs.computeIfAbsent(p.info().btfId(), k -> new ArrayList<>()).addFirst(p.info().id());
        for (MapView m : maps()) if (m.info().btfId() != 0) maps.computeIfAbsent(m.info().btfId(), k -> new ArrayList<>()).addFirst(m.info().id());
        List<BtfView> out = new ArrayList<>();
        for (int id : ids(BpfCmd.BTF_GET_NEXT_ID)) {
            Optional<Fd> fd = open(BpfCmd.BTF_GET_FD_BY_ID, id);
            if (fd.isEmpty()) continue;
            try (Fd f = fd.get(); java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                java.lang.foreign.MemorySegment info = arena.allocate(BTF_INFO_SIZE, 8);
                java.lang.foreign.MemorySegment name = arena.allocate(64, 8);
                info.set(java.lang.foreign.ValueLayout.JAVA_LONG, 16, name.address());
                info.set(java.lang.foreign.ValueLayout.JAVA_INT, 24, 64);
                ObjInfo.get(arena, f.value(), info, "BTF");
                out.add(new BtfView(info.get(java.lang.foreign.ValueLayout.JAVA_INT, 12), info.get(java.lang.foreign.ValueLayout.JAVA_INT, 8),
                        name.getString(0), info.get(java.lang.foreign.ValueLayout.JAVA_INT, 28) != 0,
                        progs.getOrDefault(id, List.of()), maps.getOrDefault(id, List.of())));
            }
        }
        return out;
    }

    /** Every id the GET_NEXT_ID command returns, in order. */
    public static List<Integer> ids(BpfCmd nextId) {
        List<Integer> out = new ArrayList<>();
        for (int id = ObjInfo.nextId(nextId, 0); id > 0; id = ObjInfo.nextId(nextId, id)) out.add(id);
        return out;
    }

    /** A descriptor for the object with {@code id}, or empty when it went away (ENOENT). */
    public static Optional<Fd> open(BpfCmd getFdById, int id) {
        try {
            return Optional.of(ObjInfo.fdById(getFdById, id));
        } catch (BpfException e) {
            if (e.errno() == Errno.ENOENT) return Optional.empty();
            throw e;
        }
    }

    /** A descriptor for the object with {@code id}; a missing one is the user's error, named as {@code what id N}. */
    public static Fd require(BpfCmd getFdById, int id, String what) {
        return open(getFdById, id).orElseThrow(() -> new UserException(what + " id " + id + ": no such " + what));
    }

    /** Every program, in id order. */
    public static List<Prog> programs() {
        List<Prog> out = new ArrayList<>();
        for (int id : ids(BpfCmd.PROG_GET_NEXT_ID)) {
            Optional<Fd> fd = open(BpfCmd.PROG_GET_FD_BY_ID, id);
            if (fd.isEmpty()) continue;
            try (Fd f = fd.get()) {
                out.add(program(f));
            }
        }
        return out;
    }

    /** The program behind {@code fd}. */
    public static Prog program(Fd fd) {
        ProgramInfo info = ProgramInfo.read(fd.value());
        return new Prog(info, fullName(info), FdInfo.self(fd, "memlock").orElse(null));
    }

    /**
     * The program's name; a name the kernel cut at 15 characters is replaced by the BTF name of its main function
     * when it has BTF and that name starts with the cut one (bpftool's get_prog_full_name).
     */
    static String fullName(ProgramInfo info) {
        String name = info.name();
        if (name.length() < 15 || info.btfId() == 0 || info.funcTypeIds().length == 0) return name;
        try {
            BtfType t = Btf.byId(info.btfId()).type(info.funcTypeIds()[0]);
            return t.name().startsWith(name) ? t.name() : name;
        } catch (RuntimeException e) {
            return name;
        }
    }

    /** Every map, in id order. */
    public static List<MapView> maps() {
        List<MapView> out = new ArrayList<>();
        for (int id : ids(BpfCmd.MAP_GET_NEXT_ID)) {
            Optional<Fd> fd = open(BpfCmd.MAP_GET_FD_BY_ID, id);
            if (fd.isEmpty()) continue;
            try (Fd f = fd.get()) {
                out.add(map(f));
            }
        }
        return out;
    }

    /** The map behind {@code fd}. */
    public static MapView map(Fd fd) {
        MapInfo info = MapInfo.read(fd.value());
        Map<String, String> fdinfo = FdInfo.read(org.bpf4j.sys.Native.getpid(), fd.value());
        int frozen = 0;
        try {
            frozen = Integer.parseInt(fdinfo.getOrDefault("frozen", "0"));
        } catch (NumberFormatException ignored) {
            // an unexpected value: bpftool's atoi reads 0 too
        }
        return new MapView(info, fdinfo.get("memlock"), frozen, fdinfo.get("owner_prog_type"), fdinfo.get("owner_jited"));
    }

    /** Every link, in id order. */
    public static List<LinkInfo> links() {
        List<LinkInfo> out = new ArrayList<>();
        for (int id : ids(BpfCmd.LINK_GET_NEXT_ID)) {
            Optional<Fd> fd = open(BpfCmd.LINK_GET_FD_BY_ID, id);
            if (fd.isEmpty()) continue;
            try (Fd f = fd.get()) {
                out.add(LinkInfo.read(f.value()));
            }
        }
        return out;
    }
}
