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
