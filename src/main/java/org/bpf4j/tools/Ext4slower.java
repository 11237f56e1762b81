package org.bpf4j.tools;

import org.bpf4j.UserException;
import org.bpf4j.tool.Args;
import org.bpf4j.tool.Tool;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.BooleanSupplier;

/**
 * {@code bpf4j ext4slower}: BCC's ext4slower on the system calls' tracepoints, since this kernel has no kprobes for
 * BCC's ext4_file_read_iter, ext4_file_write_iter, ext4_file_open and ext4_sync_file. A read, pread64, readv,
 * write, pwrite64, writev, fsync or fdatasync is timed from entry to exit when its descriptor, followed through BTF
 * ({@code curtask->files->fdt->fd[fd]}), is a regular file whose superblock is ext4's ({@code s_magic} 0xEF53);
 * an open, openat, openat2 or creat when the descriptor it returns is one. So the latency is the system call's,
 * which holds the ext4 call BCC times; io_uring's and mmap's I/O are not seen.
 */
public final class Ext4slower implements CliTool {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** The kernel's DNAME_INLINE_LEN on 64-bit machines: BCC's name buffer. */
    private static final int NAME_LEN = 40;

    /** One operation: end (us, CLOCK_MONOTONIC), who, BCC's type letter, bytes, offset, latency (us), file name. */
    public record Op(long endUs, String comm, long pid, long type, long bytes, long offset, long latencyUs, String file) {}

    @Override public String name() { return "ext4slower"; }

    @Override public String description() { return "Trace common ext4 file operations slower than a threshold"; }

    @Override
    public Args args() {
        return Args.of(name(), description(), """
                examples:
                    bpf4j ext4slower             # trace operations slower than 10 ms (default)
                    bpf4j ext4slower 1           # trace operations slower than 1 ms
                    bpf4j ext4slower -j 1        # ... 1 ms, parsable output (csv)
                    bpf4j ext4slower 0           # trace all operations (warning: verbose)
                    bpf4j ext4slower -p 185      # trace PID 185 only

                What is timed here: without kprobes on ext4_file_read_iter, ext4_file_write_iter,
                ext4_file_open and ext4_sync_file, the system calls on regular files of ext4
                (read, pread64, readv: R; write, pwrite64, writev: W; open, openat, openat2,
                creat: O; fsync, fdatasync: S), from entry to exit.
                """)
                .flag('j', "csv", "just print fields: comma-separated values")
                .integer('p', "pid", "PID", "trace this PID only")
                .positional("min_ms", "minimum I/O duration to trace, in ms (default 10)");
    }

    /** The descriptor's file, when it is a regular file of ext4; {@code fd} an expression. */
    private static String ext4File(String fd) {
        return """
                $fd = (int64)(%s);
                $fdt = curtask->files->fdt;
                $file = (struct file *)0;
                if ($fd >= 0 && $fd < $fdt->max_fds) { $file = *($fdt->fd + $fd); }
                if ($file != 0 && $file->f_inode->i_sb->s_magic == 0xEF53 && ($file->f_inode->i_mode & 0xf000) == 0x8000) {
                """.formatted(fd);
    }

    /** Keeps the start of an operation on {@code $file} by thread. */
    private static String keep(char type, String offset) {
        return """
                    @start[tid] = nsecs;
                    @type[tid] = %d;
                    @offset[tid] = (int64)(%s);
                    @name[tid] = str($file->f_path.dentry->d_name.name, %d);
                }
                """.formatted((int) type, offset, NAME_LEN);
    }

    /** The kernel side: entries keep what BCC keeps, exits send the operations of at least {@code minUs}. */
    static String script(String filter, long minUs) {
        String when = filter.isEmpty() ? "" : "/" + filter + "/ ";
        StringBuilder s = new StringBuilder();
        String[][] fileOps = {
                {"read,readv", "R", "$file->f_pos"}, {"pread64", "R", "args.pos"},
                {"write,writev", "W", "$file->f_pos"}, {"pwrite64", "W", "args.pos"},
                {"fsync,fdatasync", "S", "0"}};
        for (String[] op : fileOps) {
            s.append(points("enter", op[0])).append(' ').append(when).append("{\n")
                    .append(ext4File("args.fd").indent(4)).append(keep(op[1].charAt(0), op[2]).indent(4)).append("}\n");
        }
        s.append(points("enter", "open,openat,openat2,creat")).append(' ').append(when).append("{\n    @opening[tid] = nsecs;\n}\n");
        // an open is sent from its own exit (two programs on one tracepoint run in no promised order)
        s.append(points("exit", "open,openat,openat2,creat")).append(" /@opening[tid]/ {\n")
                .append("    $t = @opening[tid];\n    delete(@opening[tid]);\n")
                .append(ext4File("args.ret").indent(4))
                .append(send("$t", "79", "0", "0", "str($file->f_path.dentry->d_name.name, " + NAME_LEN + ")", minUs).indent(8))
                .append("    }\n}\n");
        s.append(points("exit", "read,readv,pread64,write,writev,pwrite64,fsync,fdatasync")).append(" /@start[tid]/ {\n")
                .append(send("@start[tid]", "@type[tid]", "args.ret", "@offset[tid]", "@name[tid]", minUs).indent(4))
                .append("    delete(@start[tid]);\n    delete(@type[tid]);\n    delete(@offset[tid]);\n    delete(@name[tid]);\n}\n");
        return s.toString();
    }

    /**
     * Sends the operation begun at {@code start} when it took at least {@code minUs}; the bytes are the return
     * value, 0 for an open (BCC's: ext4_file_open's 0, not the descriptor).
     */
    private static String send(String start, String type, String bytes, String offset, String name, long minUs) {
        return """
                $d = (nsecs - %s) / 1000;
                if ($d >= %d) {
                    print((nsecs / 1000, comm, (uint64)pid, (uint64)(%s), (uint64)(%s), (int64)(%s), $d, %s));
                }
                """.formatted(start, minUs, type, bytes, offset, name);
    }

    private static String points(String side, String calls) {
        StringBuilder s = new StringBuilder();
        for (String c : calls.split(",")) {
            if (!s.isEmpty()) s.append(", ");
            s.append("tracepoint:syscalls:sys_").append(side).append('_').append(c);
        }
        return s.toString();
    }

    @Override
    public int run(Args.Parsed a, PrintStream out, BooleanSupplier stop) {
        long minMs = a.integer("min_ms", 10);
        if (minMs < 0) throw new UserException("ext4slower: min_ms must not be negative");
        boolean csv = a.flag("csv");
        // BCC prints what took more than min_ms (delta_us > min_ms * 1000); 0 prints everything
        long minUs = minMs == 0 ? 0 : minMs * 1000 + 1;
        String filter = a.has("pid") ? "pid == " + a.integer("pid", 0) : "";
        try (Tool t = Tool.load(name(), script(filter, minUs))) {
            t.on(Op.class, e -> out.println(csv ? csvRow(e) : row(e, LocalTime.now().format(TIME))));
            t.start();
            if (csv) {
                out.println("ENDTIME_us,TASK,PID,TYPE,BYTES,OFFSET_b,LATENCY_us,FILE");
            } else {
                out.println(minMs == 0 ? "Tracing ext4 operations" : "Tracing ext4 operations slower than " + minMs + " ms");
                out.printf("%-8s %-14s %-6s %1s %-7s %-8s %7s %s%n", "TIME", "COMM", "PID", "T", "BYTES", "OFF_KB", "LAT(ms)", "FILENAME");
            }
            Snoop.loop(t, out, stop, 0);
        }
        return 0;
    }

    /** BCC's row: the byte count as its u32, the offset in KiB, the latency in ms. */
    static String row(Op e, String time) {
        String comm = e.comm().length() > 14 ? e.comm().substring(0, 14) : e.comm();
        return String.format("%-8s %-14s %-6s %1s %-7s %-8d %7.2f %s", time, comm, e.pid(), (char) e.type(), e.bytes() & 0xffffffffL,
                e.offset() / 1024, e.latencyUs() / 1000.0, e.file());
    }

    /** BCC's -j row. */
    static String csvRow(Op e) {
        return String.format("%d,%s,%d,%s,%d,%d,%d,%s", e.endUs(), e.comm(), e.pid(), (char) e.type(), e.bytes() & 0xffffffffL,
                e.offset(), e.latencyUs(), e.file());
    }
}
