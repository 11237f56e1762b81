package org.bpf4j.symbols;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * One symbol looked up without reading the whole table (issue 15: a kprobe attach read all of /proc/kallsyms to
 * check one name, 6-9 s in a guest; it now asks the kernel first and reads only to explain a refusal).
 */
class KallsymsTest {
    @Test
    void lookupFindsWholeNamesOnly(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("kallsyms");
        Files.writeString(f, """
                ffffffff81000000 T _stext
                ffffffff81001000 T do_sys_open
                ffffffff81002000 T do_sys_openat2
                ffffffffc0000000 t nf_hook\t[nf_tables]
                """);
        assertEquals(Optional.of(0xffffffff81001000L), Kallsyms.lookup(f, "do_sys_open"));
        assertEquals(Optional.of(0xffffffff81002000L), Kallsyms.lookup(f, "do_sys_openat2"));
        assertEquals(Optional.of(0xffffffffc0000000L), Kallsyms.lookup(f, "nf_hook"));
        assertEquals(Optional.empty(), Kallsyms.lookup(f, "do_sys"));
        assertEquals(Kallsyms.read(f).address("nf_hook"), Kallsyms.lookup(f, "nf_hook"));
    }

    @Test
    @Tag("kernel")
    void lookupAgreesWithTheWholeTable() {
        Kernel.require();
        Path k = Path.of("/proc/kallsyms");
        for (String name : new String[] {"_stext", "do_sys_openat2", "__x64_sys_getppid", "no_such_function_here"})
            assertEquals(Kallsyms.get().address(name), Kallsyms.lookup(k, name), name);
    }
}
