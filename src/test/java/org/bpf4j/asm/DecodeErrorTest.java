package org.bpf4j.asm;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Invalid bytes are rejected with a DecodeException naming the slot. */
class DecodeErrorTest {

    private static final String EXIT = "95 00 00 00 00 00 00 00";
    private static final String MOV = "b7 00 00 00 00 00 00 00";

    @ParameterizedTest(name = "{0} at slot {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            8f 00 00 00 00 00 00 00                         | 4 | unknown opcode 0x8f
            8c 00 00 00 00 00 00 00                         | 4 | unknown opcode 0x8c
            df 00 00 00 10 00 00 00                         | 4 | unknown opcode 0xdf
            e7 00 00 00 00 00 00 00                         | 4 | unknown opcode 0xe7
            f4 00 00 00 00 00 00 00                         | 4 | unknown opcode 0xf4
            38 00 00 00 00 00 00 00                         | 4 | unknown opcode 0x38
            99 00 00 00 00 00 00 00                         | 4 | unknown opcode 0x99
            0e 00 00 00 00 00 00 00                         | 4 | unknown opcode 0x0e
            86 00 00 00 00 00 00 00                         | 4 | unknown opcode 0x86
            96 00 00 00 00 00 00 00                         | 4 | unknown opcode 0x96
            9d 00 00 00 00 00 00 00                         | 4 | unknown opcode 0x9d
            99 00 00 00 00 00 00 00                         | 4 | unknown opcode 0x99
            a1 00 00 00 00 00 00 00                         | 4 | unknown opcode 0xa1
            99 10 00 00 00 00 00 00                         | 4 | unknown opcode 0x99
            98 00 00 00 00 00 00 00                         | 4 | unknown opcode 0x98
            07 0b 00 00 00 00 00 00                         | 4 | invalid register r11
            0f f0 00 00 00 00 00 00                         | 4 | invalid register r15
            37 00 02 00 01 00 00 00                         | 4 | reserved field offset is 2
            bc 10 20 00 00 00 00 00                         | 4 | MOVSX32 has no 32-bit form
            b7 00 08 00 00 00 00 00                         | 4 | MOVSX8 has no immediate form
            d4 00 00 00 08 00 00 00                         | 4 | byte swap width 8
            db 21 00 00 02 00 00 00                         | 4 | unknown atomic operation 0x2
            d3 21 00 00 01 00 00 00                         | 4 | atomic FETCH_ADD needs size W or DW
            85 30 00 00 00 00 00 00                         | 4 | unknown call src 3
            85 00 01 00 05 00 00 00                         | 4 | reserved field offset is 1
            e5 10 00 00 00 00 00 00                         | 4 | reserved field src
            20 01 00 00 00 00 00 00                         | 4 | reserved field dst
            18 70 00 00 00 00 00 00 00 00 00 00 00 00 00 00 | 4 | unknown lddw src 7
            18 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 | 4 | reserved field offset
            18 10 00 00 00 00 00 00 00 00 00 00 01 00 00 00 | 4 | must have zero high 32 bits
            18 00 00 00 00 00 00 00 95 00 00 00 00 00 00 00 | 4 | lddw second slot
            18 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 | 4 | lddw second slot
            18 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 | 4 | lddw second slot
            """)
    void rejectsWithSlotIndex(String bad, int slot, String detail) {
        byte[] raw = Hex.parse(MOV + MOV + "18 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" + bad + EXIT);
        DecodeException e = assertThrows(DecodeException.class, () -> Program.decode(raw));
        assertEquals(slot, e.index());
        assertTrue(e.getMessage().startsWith("instruction " + slot + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(detail), e.getMessage());
    }

    @Test
    void exampleMessage() {
        byte[] raw = Hex.parse(MOV + MOV + MOV + "8f 00 00 00 00 00 00 00");
        DecodeException e = assertThrows(DecodeException.class, () -> Program.decode(raw));
        assertEquals("instruction 3: unknown opcode 0x8f", e.getMessage());
        assertTrue(e instanceof IllegalArgumentException);
    }

    @Test
    void truncatedLddw() {
        DecodeException e = assertThrows(DecodeException.class,
                () -> Program.decode(Hex.parse(MOV + "18 00 00 00 01 00 00 00")));
        assertEquals("instruction 1: truncated lddw: the second slot is missing", e.getMessage());
    }

    @Test
    void trailingBytes() {
        DecodeException e = assertThrows(DecodeException.class,
                () -> Program.decode(Hex.parse(MOV + EXIT + "95 00 00")));
        assertEquals(2, e.index());
    }

    @Test
    void emptyIsAnEmptyProgram() {
        assertEquals(List.of(), Program.decode(new byte[0]).instructions());
    }

    static Stream<Path> unusedFiles() {
        List<Path> files = Conformance.negatives().stream()
                .filter(p -> p.getFileName().toString().startsWith("unused-")).toList();
        assertFalse(files.isEmpty(), "no unused-* files");
        return files.stream();
    }

    /** The suite's negative raw programs put a non-zero value in a reserved field of their first slot. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("unusedFiles")
    void conformanceUnusedFieldsAreRejected(Path file) {
        Map<String, String> sections = Conformance.sections(file);
        byte[] raw = Conformance.raw(sections.get("raw"));
        DecodeException e = assertThrows(DecodeException.class, () -> Program.decode(raw));
        assertEquals(0, e.index(), e.getMessage());
        assertTrue(e.getMessage().startsWith("instruction 0: "), e.getMessage());
    }
}
