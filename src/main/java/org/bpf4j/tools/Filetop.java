package org.bpf4j.tools;

import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j filetop}: BCC's filetop with the entries of read, pread64, write and pwrite64 standing in for BCC's
 * kprobes on vfs_read and vfs_write: the descriptor is followed through BTF to its {@code struct file}
 * ({@code curtask->files->fdt->fd[fd]}), whose dentry names the file and whose inode gives its type; the bytes are
 * the sizes asked for, as BCC's.
 */
public final class Filetop implements CliTool {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** BCC's name buffer, the kernel's DNAME_INLINE_LEN: a longer name is cut and ends in "...". */
    private static final int NAME_LEN = 40;

    /** A row's key: the thread, the file (inode, device, name as the dentry holds it, name length) and its type. */
    public record File(long tid, String comm, long ino, long dev, String name, long nameLen, long type) {}

    @Override public String name() { return "filetop"; }

    @Override public String description() { return "File reads and writes by process"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j filetop                 # file I/O top, 1 second refresh
                    bpf4j filetop -C              # don't clear the screen
                    bpf4j filetop -p 181          # PID 181 only
                    bpf4j filetop -d /home/user   # trace files in /home/user directory only
                    bpf4j filetop 5               # 5 second summaries
                    bpf4j filetop 5 10            # 5 second summaries, 10 times only
                    bpf4j filetop 5 --read-only   # 5 second summaries, only read operations traced
                    bpf4j filetop 5 --write-only  # 5 second summaries, only write operations traced
                """)
                .flag('a', "all-files", "include non-regular file types (sockets, FIFOs, etc)")
                .flag('C', "noclear", "don't clear the screen")
                .integer('r', "maxrows", "MAXROWS", "maximum rows to print, default 20")
                .string('s', "sort", "{all,reads,writes,rbytes,wbytes}", "sort column, default all")
                .integer('p', "pid", "PID", "trace this PID only")
                .flag((char) 0, "read-only", "trace only reads")
                .flag((char) 0, "write-only", "trace only writes")
                .positional("interval", "output interval, in seconds")
                .positional("count", "number of outputs")
                .string('d', "directory", "DIRECTORY", "trace this directory only");
    }

    /** The map key, {@link File}'s components (the type as BCC's letter: R regular, S socket, O other). */
    private static final String KEY = "tid, comm, $file->f_inode->i_ino, (uint64)$file->f_inode->i_sb->s_dev, str($de->d_name.name, "
            + NAME_LEN + "), (uint64)$de->d_name.len, (uint64)($mode == 0x8000 ? 82 : $mode == 0xc000 ? 83 : 79)";

    /**
     * The kernel side: counts and bytes per key, for reads and writes as asked; {@code filter} "" for every task;
     * {@code dirInode} the inode of the directory whose files alone count (-d, BCC's test of the dentry's parent), or -1.
     */
    static String script(String filter, boolean allFiles, boolean reads, boolean writes, long dirInode) {
        StringBuilder s = new StringBuilder();
        String type = (allFiles ? "" : " && $mode == 0x8000") + (dirInode < 0 ? "" : " && $de->d_parent->d_inode->i_ino == " + dirInode);
        for (String op : List.of("read", "write")) {
            if (op.equals("read") ? !reads : !writes) continue;
            String count = op.equals("read") ? "@reads" : "@writes", bytes = op.equals("read") ? "@rbytes" : "@wbytes";
            s.append("""
                    tracepoint:syscalls:sys_enter_%1$s, tracepoint:syscalls:sys_enter_p%1$s64 %2$s{
                        $file = *(curtask->files->fdt->fd + args.fd);
                        $de = $file->f_path.dentry;
                        $mode = $file->f_inode->i_mode & 0xf000;
                        if ($de->d_name.len != 0%3$s) {
                            %5$s[%4$s] = count();
                            %6$s[%4$s] = sum(args.count);
                        }
                    }
                    """.formatted(op, filter.isEmpty() ? "" : "/" + filter + "/ ", type, KEY, count, bytes));
        }
        return s.toString();
    }

    private record Row(File key, long reads, long writes, long rbytes, long wbytes) {}

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        String sort = a.string("sort") == null ? "all" : a.string("sort");
        if (!List.of("all", "reads", "writes", "rbytes", "wbytes").contains(sort)) {
            System.err.print(args().error("argument -s/--sort: invalid choice: '" + sort
                    + "' (choose from 'all', 'reads', 'writes', 'rbytes', 'wbytes')").err());
            return 2;
        }
        boolean reads = !a.flag("write_only"), writes = !a.flag("read_only"), clear = !a.flag("noclear");
        long interval = a.integer("interval", 1), count = a.integer("count", 99_999_999), maxRows = a.integer("maxrows", 20);
        String filter = a.has("pid") ? "pid == " + a.integer("pid", 0) : "";
        long dirInode = -1;
        if (a.string("directory") != null) {
            // BCC: os.lstat's inode, the directory itself (not a symlink's target)
            try {
                dirInode = ((Number) Files.getAttribute(Path.of(a.string("directory")), "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
            } catch (IOException | RuntimeException e) {
                out.println("Error accessing directory " + a.string("directory") + ": " + reason(e));
                return 1;
            }
        }
        try (Tool t = Tool.load(name(), script(filter, a.flag("all_files"), reads, writes, dirInode))) {
            t.start();
            // BCC prints this line before loading; here it comes once attached, with the next, so a caller that waits
            // for the first line knows the files are being watched
            if (dirInode >= 0) out.println("Tracing directory: " + a.string("directory") + " (Inode: " + dirInode + ")");
            out.println("Tracing... Output every " + interval + " secs. Hit Ctrl-C to end");
            out.flush();
            boolean exiting = false;
            while (true) {
                exiting = !t.pollFor(interval * 1000, stop);
                if (clear) out.print("\033[H\033[2J");
                else out.println();
                out.printf("%-8s loadavg: %s%n", LocalTime.now().format(TIME), loadavg());
                out.printf("%-7s %-16s %-6s %-6s %-7s %-7s %1s %s%n", "TID", "COMM", "READS", "WRITES", "R_Kb", "W_Kb", "T", "FILE");
                List<Row> rows = rows(t, reads, writes);
                Comparator<Row> by = switch (sort) {
                    case "reads" -> Comparator.comparingLong(Row::reads);
                    case "writes" -> Comparator.comparingLong(Row::writes);
                    case "rbytes" -> Comparator.comparingLong(Row::rbytes);
                    case "wbytes" -> Comparator.comparingLong(Row::wbytes);
                    default -> Comparator.comparingLong(r -> r.rbytes() + r.wbytes() + r.reads() + r.writes());
                };
                rows.sort(by.reversed());
                for (Row r : rows.subList(0, (int) Math.min(maxRows, rows.size()))) {
                    File k = r.key();
                    String name = k.nameLen() > NAME_LEN ? k.name().substring(0, Math.max(0, k.name().length() - 3)) + "..." : k.name();
                    out.printf("%-7d %-16s %-6d %-6d %-7d %-7d %1s %s%n", k.tid(), k.comm(), r.reads(), r.writes(), r.rbytes() / 1024,
                            r.wbytes() / 1024, (char) k.type(), name);
                }
                out.flush();
                if (exiting || --count == 0) {
                    out.println("Detaching...");
                    break;
                }
            }
        }
        return 0;
    }

    /** This interval's rows, the maps cleared for the next. */
    private static List<Row> rows(Tool t, boolean reads, boolean writes) {
        Map<File, long[]> all = new LinkedHashMap<>();
        String[] maps = {"@reads", "@writes", "@rbytes", "@wbytes"};
        for (int i = 0; i < maps.length; i++) {
            if (i % 2 == 0 ? !reads : !writes) continue;
            int col = i;
            t.counts(maps[i], File.class).forEach((k, v) -> all.computeIfAbsent(k, x -> new long[4])[col] += v);
            t.clear(maps[i]);
        }
        List<Row> rows = new ArrayList<>();
        all.forEach((k, v) -> rows.add(new Row(k, v[0], v[1], v[2], v[3])));
        return rows;
    }

    /** Why a path could not be read, as Python's OSError names it. */
    private static String reason(Exception e) {
        if (e instanceof NoSuchFileException) return "[Errno 2] No such file or directory: '" + e.getMessage() + "'";
        if (e instanceof AccessDeniedException) return "[Errno 13] Permission denied: '" + e.getMessage() + "'";
        return e.toString();
    }

    /** /proc/loadavg as BCC prints it, its newline included (hence BCC's empty line after the header). */
    static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg"));
        } catch (IOException e) {
            return "\n";
        }
    }
}
