package org.bpf4j.link;

import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.BpfFs;
import org.bpf4j.sys.ObjInfo;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** A tool killed with SIGKILL leaves nothing behind: bpf4j never pins implicitly, so the kernel frees everything. */
@Tag("kernel")
class KillNineTest {
    @Test
    void sigkillFreesEveryProgramMapAndLinkAndPinsNothing() throws Exception {
        Kernel.require();
        Set<String> pinsBefore = pins();
        Set<Integer> linksBefore = ids(BpfCmd.LINK_GET_NEXT_ID);
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                KillNineChild.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Integer> progs = new ArrayList<>(), maps = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
            for (String l; (l = out.readLine()) != null && !l.equals("ready"); ) {
                String[] f = l.split(" ");
                (f[0].equals("prog") ? progs : maps).add(Integer.parseInt(f[1]));
            }
            assertEquals(4, progs.size());
            assertEquals(5, maps.size());
            Set<Integer> childLinks = ids(BpfCmd.LINK_GET_NEXT_ID);
            childLinks.removeAll(linksBefore);
            childLinks.removeIf(id -> !progs.contains(linkProgram(id))); // other processes make links meanwhile
            assertFalse(childLinks.isEmpty(), "the child made BPF links");
            for (int id : progs) assertTrue(exists(BpfCmd.PROG_GET_FD_BY_ID, id), "program " + id + " is loaded");
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline && (progs.stream().anyMatch(id -> exists(BpfCmd.PROG_GET_FD_BY_ID, id))
                    || maps.stream().anyMatch(id -> exists(BpfCmd.MAP_GET_FD_BY_ID, id))))
                Thread.sleep(50);
            for (int id : progs) assertFalse(exists(BpfCmd.PROG_GET_FD_BY_ID, id), "program " + id + " outlived its process");
            for (int id : maps) assertFalse(exists(BpfCmd.MAP_GET_FD_BY_ID, id), "map " + id + " outlived its process");
            for (int id : childLinks) assertFalse(exists(BpfCmd.LINK_GET_FD_BY_ID, id), "link " + id + " outlived its process");
            assertEquals(pinsBefore, pins(), "nothing was pinned");
        } finally {
            child.destroyForcibly();
        }
    }

    /** struct bpf_link_info's prog_id (type @0, id @4, prog_id @8), or -1 when the link is gone. */
    static int linkProgram(int id) {
        try (var fd = ObjInfo.fdById(BpfCmd.LINK_GET_FD_BY_ID, id); var arena = Arena.ofConfined()) {
            return ObjInfo.get(arena, fd.value(), 64, "link " + id).get(ValueLayout.JAVA_INT, 8);
        } catch (org.bpf4j.BpfException e) {
            return -1;
        }
    }

    static boolean exists(BpfCmd cmd, int id) {
        try (var fd = ObjInfo.fdById(cmd, id)) {
            return true;
        } catch (org.bpf4j.BpfException e) {
            return false;
        }
    }

    static Set<Integer> ids(BpfCmd cmd) {
        Set<Integer> out = new TreeSet<>();
        for (int id = ObjInfo.nextId(cmd, 0); id > 0; id = ObjInfo.nextId(cmd, id)) out.add(id);
        return out;
    }

    static Set<String> pins() throws Exception {
        Set<String> out = new TreeSet<>();
        for (Path mount : BpfFs.mounts()) {
            try (Stream<Path> s = Files.walk(mount)) {
                s.forEach(p -> out.add(p.toString()));
            }
        }
        return out;
    }
}
