package org.bpf4j.elf;

import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfLoader;
import org.bpf4j.btf.BtfType;
import org.bpf4j.btf.Kind;
import org.bpf4j.sys.Fd;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** BTF rewritten for kernels without newer kinds: per kind, on the probes and on a real object. */
class BtfSanitizerTest {
    /** What each feature's kind becomes. */
    private static final Map<BtfSanitizer.Feature, Kind[]> REWRITES = Map.of(
            BtfSanitizer.Feature.DATASEC, new Kind[] {Kind.VAR, Kind.INT, Kind.DATASEC, Kind.STRUCT},
            BtfSanitizer.Feature.FUNC, new Kind[] {Kind.FUNC, Kind.TYPEDEF, Kind.FUNC_PROTO, Kind.ENUM},
            BtfSanitizer.Feature.FLOAT, new Kind[] {Kind.FLOAT, Kind.STRUCT},
            BtfSanitizer.Feature.DECL_TAG, new Kind[] {Kind.DECL_TAG, Kind.INT},
            BtfSanitizer.Feature.TYPE_TAG, new Kind[] {Kind.TYPE_TAG, Kind.CONST},
            BtfSanitizer.Feature.ENUM64, new Kind[] {Kind.ENUM64, Kind.UNION});

    @ParameterizedTest
    @EnumSource(BtfSanitizer.Feature.class)
    void eachKindIsReplacedInPlace(BtfSanitizer.Feature f) {
        byte[] probe = BtfSanitizer.probe(f);
        Btf before = Btf.parse(probe, null, "probe"), after = Btf.parse(BtfSanitizer.sanitize(probe, EnumSet.of(f)), null, "sanitized");
        assertEquals(before.typeCount(), after.typeCount(), "ids unchanged");
        if (f == BtfSanitizer.Feature.FUNC_GLOBAL) {
            BtfType.Func fn = (BtfType.Func) after.type(3);
            assertEquals(0, fn.linkage(), "a global function made static");
            return;
        }
        Kind[] r = REWRITES.get(f);
        for (int i = 0; i < r.length; i += 2) {
            for (int id = 1; id < before.typeCount(); id++) {
                if (before.type(id).kind() != r[i]) continue;
                assertEquals(r[i + 1], after.type(id).kind(), f + ": type " + id);
                assertEquals(before.sizeOf(id) > 0 && r[i] != Kind.VAR && r[i] != Kind.DECL_TAG ? before.sizeOf(id) : after.sizeOf(id),
                        after.sizeOf(id), f + ": size kept");
            }
        }
        assertSame(probe, BtfSanitizer.sanitize(probe, Set.of()), "nothing missing, nothing copied");
    }

    @Test
    @Tag("kernel")
    void thisKernelHasEveryKindAndTakesTheRewrittenBtfToo() {
        Kernel.require();
        assertEquals(Set.of(), BtfSanitizer.missingHere(), "kernel 6.x has every BTF kind bpf4j probes");
        // an object's BTF as it would go to a 4.x kernel still loads here: each replacement is valid BTF
        CollectionSpec spec = ObjectFile.read(BpfObjects.object("calls"));
        byte[] oldest = BtfSanitizer.sanitize(spec.btfRaw(), EnumSet.allOf(BtfSanitizer.Feature.class));
        try (Fd fd = BtfLoader.load(oldest)) {
            assertTrue(fd.value() >= 0);
        }
        for (BtfSanitizer.Feature f : BtfSanitizer.Feature.values()) {
            try (Fd fd = BtfLoader.load(BtfSanitizer.sanitize(BtfSanitizer.probe(f), EnumSet.of(f)))) {
                assertTrue(fd.value() >= 0, f.toString());
            }
        }
    }
}
