package org.bpf4j.vm;

import org.bpf4j.InputFiles;
import org.bpf4j.UserException;
import org.bpf4j.asm.AsmSyntaxException;
import org.bpf4j.asm.Assembler;
import org.bpf4j.asm.DecodeException;
import org.bpf4j.asm.Program;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * A program read from a file for the VM: assembler text (the conformance suite's syntax or bpftool's), a
 * bpf_conformance {@code .data} file (its {@code -- asm} section, and its {@code -- mem} as the default memory),
 * or raw instruction bytes (8-byte slots, little endian).
 *
 * @param name    the file name, for messages
 * @param program the instructions
 * @param memory  the memory the file itself gives (a {@code -- mem} section), or null
 */
public record ProgramFile(String name, Program program, byte[] memory) {

    /** Reads {@code file}; a {@link UserException} names the file and what is wrong with it. */
    public static ProgramFile read(Path file) {
        byte[] bytes = InputFiles.read(file, InputFiles.TEXT_LIMIT);
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        if (bytes.length >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F')
            throw new UserException(file + ": ELF objects cannot be loaded yet; give assembler text or raw instructions");
        String text = text(bytes);
        if (text == null) {
            try {
                return new ProgramFile(name, Program.decode(bytes), null);
            } catch (DecodeException e) {
                throw new UserException(file + ": " + e.getMessage(), e);
            }
        }
        int asmLine = 0;
        boolean raw = false;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("-- asm")) asmLine = i + 1;
            if (lines[i].startsWith("-- raw")) raw = true;
        }
        try {
            if (asmLine > 0 || raw) return conformance(name, lines, asmLine == 0);
            return new ProgramFile(name, Assembler.parse(text), null);
        } catch (AsmSyntaxException e) {
            throw new UserException(file + ":" + (e.line() + asmLine) + ":" + e.column() + ": " + e.detail() + "\n" + e.caret(), e);
        } catch (IllegalArgumentException e) {
            throw new UserException(file + ": " + e.getMessage(), e);
        }
    }

    /** The file as text if it is UTF-8 without control characters other than whitespace; null for binary. */
    private static String text(byte[] bytes) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return null;
            }
            return s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static ProgramFile conformance(String name, String[] lines, boolean fromRaw) {
        StringBuilder asm = new StringBuilder(), mem = new StringBuilder(), raw = new StringBuilder();
        StringBuilder into = null;
        for (String line : lines) {
            if (line.startsWith("-- ")) {
                String section = line.substring(3).trim();
                into = switch (section) {
                    case "asm" -> asm;
                    case "mem" -> mem;
                    case "raw" -> raw;
                    default -> null;
                };
                continue;
            }
            if (into != null) into.append(line).append('\n');
        }
        String hex = mem.toString().replaceAll("\\s+", "");
        byte[] memory = hex.isEmpty() ? null : HexFormat.of().parseHex(hex);
        if (fromRaw) {
            try {
                return new ProgramFile(name, Program.decode(rawSection(raw.toString())), memory);
            } catch (DecodeException e) {
                throw new UserException(name + ": " + e.getMessage(), e);
            }
        }
        return new ProgramFile(name, Assembler.parse(asm.toString()), memory);
    }

    /**
     * The bytes of a bpf_conformance {@code -- raw} section: spaced hex bytes ({@code "07 00 01 00 ..."}) or one
     * 64-bit slot per line ({@code "0x5566778800000018"}, the slot read as a little-endian u64); {@code #}
     * comments are ignored.
     */
    public static byte[] rawSection(String section) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String line : section.split("\n")) {
            int hash = line.indexOf('#');
            String text = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (text.isEmpty()) continue;
            if (text.startsWith("0x")) {
                long v = Long.parseUnsignedLong(text.substring(2), 16);
                for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)));
            } else {
                out.writeBytes(HexFormat.of().parseHex(text.replaceAll("\\s+", "")));
            }
        }
        return out.toByteArray();
    }
}
