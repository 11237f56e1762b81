package org.bpf4j.asm;

import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random slots over every opcode: whatever decodes must re-encode byte for byte, and its disassembly must
 * assemble back to the same bytes.
 */
class RandomRoundTripTest {

    /** Every opcode byte of RFC 9669, the kernel extensions (gotox 0d, may_goto e5, nospec c2) and callx 8d. */
    private static final List<String> EXPECTED_OPCODES = List.of((""
            + "04 05 06 07 0c 0d 0f 14 15 16 17 18 1c 1d 1e 1f 20 24 25 26 27 28 2c 2d 2e 2f 30 34 35 36 37 "
            + "3c 3d 3e 3f 40 44 45 46 47 48 4c 4d 4e 4f 50 54 55 56 57 5c 5d 5e 5f 61 62 63 64 65 66 67 69 "
            + "6a 6b 6c 6d 6e 6f 71 72 73 74 75 76 77 79 7a 7b 7c 7d 7e 7f 81 84 85 87 89 8d 91 94 95 97 9c "
            + "9f a4 a5 a6 a7 ac ad ae af b4 b5 b6 b7 bc bd be bf c2 c3 c4 c5 c6 c7 cb cc cd ce cf d3 d4 d5 "
            + "d6 d7 db dc dd de e5").split(" "));

    @Test
    void everyDecodableSlotRoundTrips() {
        Random random = new Random(9669);
        Set<Integer> accepted = new TreeSet<>();
        int valid = 0;
        for (int opcode = 0; opcode < 256; opcode++) {
            for (int n = 0; n < 400; n++) {
                byte[] raw = new byte[16];
                raw[0] = (byte) opcode;
                int dst = random.nextInt(11);
                int src = random.nextInt(4) == 0 ? random.nextInt(16) : random.nextInt(11);
                raw[1] = (byte) (src << 4 | dst);
                int off = switch (random.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> random.nextInt(3) == 0 ? -1 : 1;
                    case 2 -> List.of(8, 16, 32).get(random.nextInt(3));
                    default -> random.nextInt(65536) - 32768;
                };
                raw[2] = (byte) off;
                raw[3] = (byte) (off >> 8);
                int imm = switch (random.nextInt(5)) {
                    case 0 -> 0;
                    case 1 -> List.of(16, 32, 64, 1, 0x10000).get(random.nextInt(5));
                    case 2 -> List.of(0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1, 0x100, 0x110)
                            .get(random.nextInt(11));
                    default -> random.nextInt();
                };
                for (int k = 0; k < 4; k++) {
                    raw[4 + k] = (byte) (imm >> (8 * k));
                }
                if (n < 3) {
                    // the all-zero operands (plus a small imm) that calls, exit and friends need
                    raw[1] = 0;
                    raw[2] = raw[3] = 0;
                    raw[4] = (byte) (int) List.of(0, 16, 1).get(n);
                    raw[5] = raw[6] = raw[7] = 0;
                }
                if (opcode == 0x18 && random.nextBoolean()) {
                    int high = random.nextBoolean() ? 0 : random.nextInt();
                    for (int k = 0; k < 4; k++) {
                        raw[12 + k] = (byte) (high >> (8 * k));
                    }
                } else {
                    raw[8] = (byte) 0x95;
                }
                Program p;
                try {
                    p = Program.decode(raw);
                } catch (DecodeException e) {
                    continue;
                }
                valid++;
                accepted.add(opcode);
                assertArrayEquals(raw, p.encode());
                Instruction first = p.instructions().getFirst();
                if (first.op() instanceof Operation.Call(CallKind kind) && kind != CallKind.HELPER && first.offset() != 0) {
                    continue; // bpftool prints neither a kfunc's BTF fd index nor an xlated local call's imm
                }
                if (first.op() instanceof Operation.LoadImm64(Pseudo pseudo) && pseudo == Pseudo.FUNC
                        && first.immHigh() != 0) {
                    continue; // an xlated subprog address: bpftool prints only the low half
                }
                String text = Disassembler.dump(p.instructions(), CallNames.HELPERS, random.nextBoolean());
                assertArrayEquals(raw, Assembler.parse(text).encode(), text);
            }
        }
        assertTrue(valid > 3000, "only " + valid + " valid samples");
        assertEquals(EXPECTED_OPCODES, accepted.stream().map(o -> String.format("%02x", o)).toList());
    }
}
