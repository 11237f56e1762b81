package org.bpf4j.prog;

import org.bpf4j.sys.ObjInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What the kernel reports about a loaded program ({@code struct bpf_prog_info}), with its translated
 * ("xlated") instructions, the ids of the maps it uses, run-time statistics (zero unless
 * {@code kernel.bpf_stats_enabled}), the kernel addresses and lengths of its JIT-compiled functions, and the BTF
 * type ids of its functions (empty without BTF).
 */
public record ProgramInfo(int id, ProgramType type, int typeValue, String name, String tag, boolean gplCompatible,
                          long loadTimeNs, int createdByUid, int jitedLength, int xlatedLength, int[] mapIds,
                          int btfId, int verifiedInstructions, byte[] xlated, long runTimeNs, long runCount,
                          long recursionMisses, long[] jitedKsyms, int[] jitedFuncLengths, int[] funcTypeIds) {
    // struct bpf_prog_info (linux/bpf.h): offsets checked against the UAPI header.
    private static final int SIZE = 232, TYPE = 0, ID = 4, TAG = 8, JITED_LEN = 16, XLATED_LEN = 20,
            JITED_INSNS = 24, XLATED_INSNS = 32, LOAD_TIME = 40, UID = 48, NR_MAP_IDS = 52, MAP_IDS = 56, NAME = 64,
            GPL_BITS = 84, NR_JITED_KSYMS = 104, NR_JITED_FUNC_LENS = 108, JITED_KSYMS = 112, JITED_FUNC_LENS = 120,
            BTF_ID = 128, FUNC_INFO_REC_SIZE = 132, FUNC_INFO = 136, NR_FUNC_INFO = 144, RUN_TIME_NS = 192,
            RUN_CNT = 200, RECURSION_MISSES = 208, VERIFIED_INSNS = 216;
    private static final int FUNC_INFO_REC = 8; // struct bpf_func_info { u32 insn_off; u32 type_id; }

    /** The fields of the first version of this record, for callers that do not need the later ones. */
    public ProgramInfo(int id, ProgramType type, int typeValue, String name, String tag, boolean gplCompatible,
                       long loadTimeNs, int createdByUid, int jitedLength, int xlatedLength, int[] mapIds,
                       int btfId, int verifiedInstructions, byte[] xlated) {
        this(id, type, typeValue, name, tag, gplCompatible, loadTimeNs, createdByUid, jitedLength, xlatedLength, mapIds,
                btfId, verifiedInstructions, xlated, 0, 0, 0, new long[0], new int[0], new int[0]);
    }

    /** Reads the info of the program behind {@code fd}, in two calls: sizes first, then the arrays. */
    public static ProgramInfo read(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment first = ObjInfo.get(arena, fd, SIZE, "program");
            int xlatedLen = first.get(JAVA_INT, XLATED_LEN);
            int nrMaps = first.get(JAVA_INT, NR_MAP_IDS);
            int nrKsyms = first.get(JAVA_INT, NR_JITED_KSYMS);
            int nrFuncLens = first.get(JAVA_INT, NR_JITED_FUNC_LENS);
            int nrFuncInfo = first.get(JAVA_INT, NR_FUNC_INFO);
            MemorySegment info = arena.allocate(SIZE, 8);
            MemorySegment xlated = arena.allocate(Math.max(8, xlatedLen), 8);
            MemorySegment maps = arena.allocate(Math.max(4, 4L * nrMaps), 8);
            MemorySegment ksyms = arena.allocate(Math.max(8, 8L * nrKsyms), 8);
            MemorySegment funcLens = arena.allocate(Math.max(4, 4L * nrFuncLens), 8);
            MemorySegment funcInfo = arena.allocate(Math.max(8, (long) FUNC_INFO_REC * nrFuncInfo), 8);
            info.set(JAVA_INT, XLATED_LEN, xlatedLen);
            info.set(JAVA_LONG, XLATED_INSNS, xlated.address());
            info.set(JAVA_INT, NR_MAP_IDS, nrMaps);
            info.set(JAVA_LONG, MAP_IDS, maps.address());
            info.set(JAVA_INT, NR_JITED_KSYMS, nrKsyms);
            info.set(JAVA_LONG, JITED_KSYMS, ksyms.address());
            info.set(JAVA_INT, NR_JITED_FUNC_LENS, nrFuncLens);
            info.set(JAVA_LONG, JITED_FUNC_LENS, funcLens.address());
            if (nrFuncInfo > 0) {
                info.set(JAVA_INT, NR_FUNC_INFO, nrFuncInfo);
                info.set(JAVA_INT, FUNC_INFO_REC_SIZE, FUNC_INFO_REC);
                info.set(JAVA_LONG, FUNC_INFO, funcInfo.address());
            }
            ObjInfo.get(arena, fd, info, "program");
            int type = info.get(JAVA_INT, TYPE);
            int gotFuncInfo = Math.min(nrFuncInfo, info.get(JAVA_INT, NR_FUNC_INFO));
            int[] funcTypes = new int[gotFuncInfo];
            for (int i = 0; i < gotFuncInfo; i++) funcTypes[i] = funcInfo.get(JAVA_INT, (long) FUNC_INFO_REC * i + 4);
            return new ProgramInfo(info.get(JAVA_INT, ID), ProgramType.of(type), type, ObjInfo.name(info, NAME),
                    HexFormat.of().formatHex(info.asSlice(TAG, 8).toArray(JAVA_BYTE)),
                    (info.get(JAVA_INT, GPL_BITS) & 1) != 0, info.get(JAVA_LONG, LOAD_TIME), info.get(JAVA_INT, UID),
                    info.get(JAVA_INT, JITED_LEN), info.get(JAVA_INT, XLATED_LEN),
                    maps.asSlice(0, 4L * Math.min(nrMaps, info.get(JAVA_INT, NR_MAP_IDS))).toArray(JAVA_INT),
                    info.get(JAVA_INT, BTF_ID), info.get(JAVA_INT, VERIFIED_INSNS),
                    xlated.asSlice(0, Math.min(xlatedLen, info.get(JAVA_INT, XLATED_LEN))).toArray(JAVA_BYTE),
                    info.get(JAVA_LONG, RUN_TIME_NS), info.get(JAVA_LONG, RUN_CNT), info.get(JAVA_LONG, RECURSION_MISSES),
                    ksyms.asSlice(0, 8L * Math.min(nrKsyms, info.get(JAVA_INT, NR_JITED_KSYMS))).toArray(JAVA_LONG),
                    funcLens.asSlice(0, 4L * Math.min(nrFuncLens, info.get(JAVA_INT, NR_JITED_FUNC_LENS))).toArray(JAVA_INT),
                    funcTypes);
        }
    }

    /** The JIT-compiled machine code of the program behind {@code fd} (empty when it is not JIT-compiled). */
    public static byte[] jitedImage(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment first = ObjInfo.get(arena, fd, SIZE, "program");
            int len = first.get(JAVA_INT, JITED_LEN);
            if (len == 0) return new byte[0];
            MemorySegment info = arena.allocate(SIZE, 8);
            MemorySegment image = arena.allocate(len, 8);
            info.set(JAVA_INT, JITED_LEN, len);
            info.set(JAVA_LONG, JITED_INSNS, image.address());
            ObjInfo.get(arena, fd, info, "program");
            return image.asSlice(0, Math.min(len, info.get(JAVA_INT, JITED_LEN))).toArray(JAVA_BYTE);
        }
    }
}
