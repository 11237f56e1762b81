package org.bpf4j.cli;

import org.bpf4j.map.KernelMap;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.Native;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** bpflist counts the BPF objects this JVM holds, in BCC's columns. */
@Tag("kernel")
class BpflistCommandTest {
    static String bpflist(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "bpflist";
        System.arraycopy(args, 0, all, 1, args.length);
        assertEquals(0, Main.run(new PrintWriter(out), new PrintWriter(err), all), err.toString());
        return out.toString();
    }

    static int count(String out, String type) {
        Matcher m = Pattern.compile("(?m)^" + Native.getpid() + " +\\S+ +" + type + " +(\\d+)$").matcher(out);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    @Test
    void countsThisProcesssProgramsAndMaps() {
        Kernel.require();
        String before = bpflist();
        try (KernelMap a = KernelMap.create(MapSpec.of("t_bl_a", MapType.ARRAY, 4, 4, 1));
             KernelMap b = KernelMap.create(MapSpec.of("t_bl_b", MapType.HASH, 4, 4, 1));
             KernelProgram p = KernelProgram.load("t_bl", ProgramType.SOCKET_FILTER,
                     HexFormat.of().parseHex("b700000000000000" + "9500000000000000"), "GPL", 0)) {
            String after = bpflist();
            String[] lines = after.split("\n");
            assertEquals("PID    COMM             TYPE  COUNT", lines[0]);
            assertEquals(count(before, "map") + 2, count(after, "map"), after);
            assertEquals(count(before, "prog") + 1, count(after, "prog"), after);
            for (int i = 1; i < lines.length; i++)
                assertTrue(lines[i].matches("\\d+ +.{1,16} +(map|prog) +\\d+"), lines[i]);
            assertTrue(bpflist("-vv").contains("open uprobes:"));
        }
        String done = bpflist();
        assertEquals(count(before, "map"), count(done, "map"), done);
        assertEquals(count(before, "prog"), count(done, "prog"), done);
    }
}
