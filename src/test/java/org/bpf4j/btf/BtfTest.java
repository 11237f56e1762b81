package org.bpf4j.btf;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The parser and both dump formats on BTF written by hand, so every kind and corner is one we chose. */
class BtfTest {
    /** int, unsigned int, a struct with bitfields, a signed enum, a typedef, a vararg function, an array, a union. */
    static Btf sample() {
        BtfBuilder b = new BtfBuilder();
        int i32 = b.type("int", Kind.INT, 0, false, 4, (1 << 24) | 32);                 // 1
        int u32 = b.type("unsigned int", Kind.INT, 0, false, 4, 32);                    // 2
        int ptr = b.type("", Kind.PTR, 0, false, 4);                                    // 3 -> struct node
        int node = b.type("node", Kind.STRUCT, 3, true, 16,                             // 4
                b.str("next"), ptr, 0,
                b.str("flags"), u32, (3 << 24) | 64,
                b.str("mode"), u32, (5 << 24) | 67);
        int color = b.type("color", Kind.ENUM, 2, true, 4, b.str("RED"), -1, b.str("BLUE"), 2);   // 5
        int nodeT = b.type("node_t", Kind.TYPEDEF, 0, false, node);                     // 6
        int proto = b.type("", Kind.FUNC_PROTO, 2, false, i32, b.str("n"), ptr, 0, 0);  // 7: int (struct node *, ...)
        b.type("walk", Kind.FUNC, 1, false, proto);                                      // 8
        int arr = b.type("", Kind.ARRAY, 0, false, 0, i32, i32, 4);                     // 9: int[4]
        int fptr = b.type("", Kind.PTR, 0, false, proto);                                // 10
        b.type("holder", Kind.STRUCT, 4, false, 48,                                      // 11
                b.str("cb"), fptr, 0, b.str("vals"), arr, 64, b.str("c"), color, 192, b.str("t"), nodeT, 256);
        b.type("u", Kind.UNION, 2, false, 8, b.str("a"), i32, 0, b.str("b"), fptr, 0);   // 12
        b.type("big", Kind.ENUM64, 1, false, 8, b.str("HUGE"), 0, 1);                    // 13: 1 << 32
        return Btf.parse(b.build(), null, "sample");
    }

    @Test
    void typesByIdAndByName() {
        Btf btf = sample();
        assertEquals(14, btf.typeCount());
        var node = btf.find(BtfType.Struct.class, "node").orElseThrow();
        assertEquals(4, node.id());
        assertEquals(16, node.size());
        assertEquals(List.of(new BtfType.Member("next", 3, 0, 0), new BtfType.Member("flags", 2, 64, 3),
                new BtfType.Member("mode", 2, 67, 5)), node.members());
        assertEquals(67, node.member("mode").orElseThrow().bitOffset());
        var color = (BtfType.Enum) btf.findByName(Kind.ENUM, "color").orElseThrow();
        assertEquals(List.of(new BtfType.EnumValue("RED", -1), new BtfType.EnumValue("BLUE", 2)), color.values());
        assertTrue(color.signed());
        var walk = btf.find(BtfType.Func.class, "walk").orElseThrow();
        var proto = (BtfType.FuncProto) btf.type(walk.type());
        assertEquals(1, proto.returnType());
        assertEquals(List.of(new BtfType.Param("n", 3), new BtfType.Param("", 0)), proto.params());
        assertEquals(1L << 32, ((BtfType.Enum64) btf.type(13)).values().getFirst().value());
        assertTrue(btf.findByName(Kind.UNION, "node").isEmpty());
        assertEquals(node, btf.resolve(6), "typedef resolves to the struct");
    }

    @Test
    void sizesAndAlignments() {
        Btf btf = sample();
        assertEquals(8, btf.pointerSize(), "no 'long' here: 64-bit assumed");
        assertEquals(16, btf.sizeOf(9));
        assertEquals(16, btf.sizeOf(6));
        assertEquals(-1, btf.sizeOf(7), "a function prototype has no size");
        assertEquals(4, btf.alignOf(9));
    }

    @Test
    void rawDumpIsBpftoolsFormat() {
        Btf btf = sample();
        StringBuilder sb = new StringBuilder();
        RawDump.dump(btf, sb);
        assertEquals("""
                [1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
                [2] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 encoding=(none)
                [3] PTR '(anon)' type_id=4
                [4] STRUCT 'node' size=16 vlen=3
                \t'next' type_id=3 bits_offset=0
                \t'flags' type_id=2 bits_offset=64 bitfield_size=3
                \t'mode' type_id=2 bits_offset=67 bitfield_size=5
                [5] ENUM 'color' encoding=SIGNED size=4 vlen=2
                \t'RED' val=-1
                \t'BLUE' val=2
                [6] TYPEDEF 'node_t' type_id=4
                [7] FUNC_PROTO '(anon)' ret_type_id=1 vlen=2
                \t'n' type_id=3
                \t'(anon)' type_id=0
                [8] FUNC 'walk' type_id=7 linkage=global
                [9] ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=4
                [10] PTR '(anon)' type_id=7
                [11] STRUCT 'holder' size=48 vlen=4
                \t'cb' type_id=10 bits_offset=0
                \t'vals' type_id=9 bits_offset=64
                \t'c' type_id=5 bits_offset=192
                \t't' type_id=6 bits_offset=256
                [12] UNION 'u' size=8 vlen=2
                \t'a' type_id=1 bits_offset=0
                \t'b' type_id=10 bits_offset=0
                [13] ENUM64 'big' encoding=UNSIGNED size=8 vlen=1
                \t'HUGE' val=4294967296ULL
                """, sb.toString());
    }

    @Test
    void cDumpOrdersDefinitionsAndPads() {
        String c = CDump.definitions(sample(), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
        assertEquals("""
                struct node {
                \tstruct node *next;
                \tunsigned int flags: 3;
                \tunsigned int mode: 5;
                };

                enum color {
                \tRED = -1,
                \tBLUE = 2,
                };

                typedef struct node node_t;

                struct holder {
                \tint (*cb)(struct node *, ...);
                \tint vals[4];
                \tenum color c;
                \tnode_t t;
                };

                union u {
                \tint a;
                \tint (*b)(struct node *, ...);
                };

                enum big {
                \tHUGE = 4294967296ULL,
                };

                """, c);
        assertEquals("int (*f)(struct node *, ...)", CDump.declaration(sample(), 10, "f"));
    }

    @Test
    void badDataSaysWhereAndWhy() {
        byte[] good = new BtfBuilder().build();
        byte[] badMagic = good.clone();
        badMagic[0] = 0x12;
        assertEquals("x.btf: bad magic 0xeb12, expected 0xeb9f",
                assertThrows(BtfFormatException.class, () -> Btf.parse(badMagic, null, "x.btf")).getMessage());
        BtfBuilder b = new BtfBuilder();
        b.type("p", Kind.PTR, 0, false, 7);
        assertEquals("y: type 1 (PTR 'p') refers to type 7, out of range",
                assertThrows(BtfFormatException.class, () -> Btf.parse(b.build(), null, "y")).getMessage());
        byte[] cut = java.util.Arrays.copyOf(sampleBytes(), 40);
        assertTrue(assertThrows(BtfFormatException.class, () -> Btf.parse(cut, null, "z")).getMessage()
                .startsWith("z: sections run past the end"));
    }

    /**
     * Issue 15's first defect: a union whose size is not a multiple of its members' alignment (6.12's 18-byte
     * ec_response_get_next_data_v3, a u64 array beside bytes) must be packed, or clang gives it 24 bytes; clang is
     * the oracle for the layout.
     */
    @Test
    void unionOfOddSizeIsPackedAndClangAgrees(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        BtfBuilder b = new BtfBuilder();
        int u64 = b.type("long long unsigned int", Kind.INT, 0, false, 8, 64);         // 1
        int u8 = b.type("unsigned char", Kind.INT, 0, false, 1, 8);                      // 2
        int words = b.type("", Kind.ARRAY, 0, false, 0, u64, u64, 2);                   // 3: u64[2]
        int bytes = b.type("", Kind.ARRAY, 0, false, 0, u8, u64, 18);                   // 4: u8[18]
        int union = b.type("odd", Kind.UNION, 2, false, 18, b.str("w"), words, 0, b.str("b"), bytes, 0);   // 5
        b.type("outer", Kind.STRUCT, 2, false, 19, b.str("c"), u8, 0, b.str("u"), union, 8);               // 6
        Btf btf = Btf.parse(b.build(), null, "odd");
        assertEquals(1, btf.alignOf(union));
        String c = CDump.definitions(btf, 1, 2, 3, 4, 5, 6);
        assertTrue(c.substring(c.indexOf("union odd"), c.indexOf("struct outer")).contains("__attribute__((packed))"), c);
        if (!new java.io.File("/usr/bin/clang").canExecute())
            org.bpf4j.testing.Kernel.unless("clang is not installed (apt-get install clang): it is the layout oracle");
        java.nio.file.Path src = dir.resolve("odd.c");
        java.nio.file.Files.writeString(src, c + """
                _Static_assert(sizeof(union odd) == 18, "union size");
                _Static_assert(sizeof(struct outer) == 19, "struct size");
                _Static_assert(__builtin_offsetof(struct outer, u) == 1, "member offset");
                """);
        Process p = new ProcessBuilder("/usr/bin/clang", "-fsyntax-only", src.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out + "\n" + c);
    }

    /** A device or a huge file given as BTF is read only up to a bound (issue 15: /dev/zero ran to an out-of-memory error). */
    @Test
    void endlessFilesAreReadUpToABound() {
        org.bpf4j.UserException e = assertThrows(org.bpf4j.UserException.class, () -> Btf.read(java.nio.file.Path.of("/dev/zero"), null));
        assertEquals("/dev/zero: larger than 64 MiB, the most bpf4j reads of such a file", e.getMessage());
    }

    /** Sizes the kernel refuses and types that are their own pointee or member: a format error, not a crash or a hang. */
    @Test
    void impossibleSizesAndCyclesAreFormatErrors() {
        BtfBuilder huge = new BtfBuilder();
        huge.type("int", Kind.INT, 0, false, 0x80000000, 32);
        assertEquals("h: type 1 (INT 'int'): int size 2147483648, not 1, 2, 4, 8 or 16",
                assertThrows(BtfFormatException.class, () -> Btf.parse(huge.build(), null, "h")).getMessage());
        BtfBuilder self = new BtfBuilder();
        self.type("", Kind.PTR, 0, false, 1);
        assertEquals("p: type 1 (PTR ''): refers to itself through a chain of references",
                assertThrows(BtfFormatException.class, () -> Btf.parse(self.build(), null, "p")).getMessage());
        BtfBuilder loop = new BtfBuilder();
        loop.type("a", Kind.TYPEDEF, 0, false, 2);
        loop.type("b", Kind.CONST, 0, false, 1);
        assertTrue(assertThrows(BtfFormatException.class, () -> Btf.parse(loop.build(), null, "t")).getMessage()
                .endsWith("refers to itself through a chain of references"));
        BtfBuilder nest = new BtfBuilder();
        int i32 = nest.type("int", Kind.INT, 0, false, 4, 32);
        nest.type("s", Kind.STRUCT, 2, false, 8, nest.str("a"), i32, 0, nest.str("me"), 2, 32);
        assertEquals("n: type 2 (STRUCT 's'): contains itself",
                assertThrows(BtfFormatException.class, () -> Btf.parse(nest.build(), null, "n")).getMessage());
        // a function type that takes itself (fuzzing: the C dump recursed until the stack overflowed)
        BtfBuilder proto = new BtfBuilder();
        int i = proto.type("int", Kind.INT, 0, false, 4, 32);
        proto.type("", Kind.FUNC_PROTO, 1, false, i, proto.str("f"), 2);
        assertEquals("f: type 2 (FUNC_PROTO ''): refers to itself through a chain of references",
                assertThrows(BtfFormatException.class, () -> Btf.parse(proto.build(), null, "f")).getMessage());
        // 300 typedefs each naming the next: deeper than the dumps walk (the kernel stops at 32)
        BtfBuilder chain = new BtfBuilder();
        chain.type("int", Kind.INT, 0, false, 4, 32);
        for (int k = 2; k <= 301; k++) chain.type("t" + k, Kind.TYPEDEF, 0, false, k - 1);
        assertTrue(assertThrows(BtfFormatException.class, () -> Btf.parse(chain.build(), null, "c")).getMessage()
                .endsWith("types nest more than 256 levels deep"));
        // a struct reaching itself through a pointer is a linked list, and fine
        BtfBuilder list = new BtfBuilder();
        list.type("", Kind.PTR, 0, false, 2);
        list.type("node", Kind.STRUCT, 1, false, 8, list.str("next"), 1, 0);
        assertEquals(8, Btf.parse(list.build(), null, "l").sizeOf(2));
    }

    private static byte[] sampleBytes() {
        BtfBuilder b = new BtfBuilder();
        b.type("int", Kind.INT, 0, false, 4, 32);
        return b.build();
    }
}
