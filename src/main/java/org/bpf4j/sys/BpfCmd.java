package org.bpf4j.sys;

/** The bpf(2) commands ({@code enum bpf_cmd} in linux/bpf.h), by their UAPI numbers. */
public enum BpfCmd {
    MAP_CREATE, MAP_LOOKUP_ELEM, MAP_UPDATE_ELEM, MAP_DELETE_ELEM, MAP_GET_NEXT_KEY, PROG_LOAD, OBJ_PIN, OBJ_GET,
    PROG_ATTACH, PROG_DETACH, PROG_TEST_RUN, PROG_GET_NEXT_ID, MAP_GET_NEXT_ID, PROG_GET_FD_BY_ID, MAP_GET_FD_BY_ID,
    OBJ_GET_INFO_BY_FD, PROG_QUERY, RAW_TRACEPOINT_OPEN, BTF_LOAD, BTF_GET_FD_BY_ID, TASK_FD_QUERY,
    MAP_LOOKUP_AND_DELETE_ELEM, MAP_FREEZE, BTF_GET_NEXT_ID, MAP_LOOKUP_BATCH, MAP_LOOKUP_AND_DELETE_BATCH,
    MAP_UPDATE_BATCH, MAP_DELETE_BATCH, LINK_CREATE, LINK_UPDATE, LINK_GET_FD_BY_ID, LINK_GET_NEXT_ID, ENABLE_STATS,
    ITER_CREATE, LINK_DETACH, PROG_BIND_MAP;

    /** The command number passed to bpf(2); the enum is in UAPI order. */
    public int value() { return ordinal(); }

    /** The UAPI name, e.g. {@code "BPF_MAP_CREATE"}. */
    public String uapiName() { return "BPF_" + name(); }
}
