package org.bpf4j.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** The smallest ELF64 file that carries USDT notes: a header and three sections (null, .note.stapsdt, .shstrtab). */
final class TinyElf {
    private TinyElf() {}

    static byte[] withNote(byte[] note) {
        byte[] names = "\0.note.stapsdt\0.shstrtab\0".getBytes(StandardCharsets.US_ASCII);
        int noteAt = 64, namesAt = noteAt + note.length, shoff = (namesAt + names.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(shoff + 3 * 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.position(16);
        b.putShort((short) 3).putShort((short) 62).putInt(1).putLong(0).putLong(0).putLong(shoff).putInt(0)
                .putShort((short) 64).putShort((short) 56).putShort((short) 0).putShort((short) 64).putShort((short) 3).putShort((short) 2);
        b.position(noteAt);
        b.put(note).put(names);
        b.position(shoff + 64);
        section(b, 1, 7, noteAt, note.length);     // .note.stapsdt, SHT_NOTE
        section(b, 15, 3, namesAt, names.length);  // .shstrtab, SHT_STRTAB
        return b.array();
    }

    private static void section(ByteBuffer b, int name, int type, long offset, long size) {
        b.putInt(name).putInt(type).putLong(0).putLong(0).putLong(offset).putLong(size).putInt(0).putInt(0).putLong(4).putLong(0);
    }
}
