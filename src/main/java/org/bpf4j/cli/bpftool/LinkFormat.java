package org.bpf4j.cli.bpftool;

import org.bpf4j.link.LinkInfo;

/** {@code link show} in bpftool's text layout and JSON fields, for the link types tracing uses. */
public final class LinkFormat {
    private LinkFormat() {}

    /** bpftool's names of {@code enum bpf_attach_type}, by value, as far as tracing links need them. */
    static String attachType(int value) {
        String[] names = {"cgroup_inet_ingress", "cgroup_inet_egress", "cgroup_inet_sock_create", "cgroup_sock_ops",
                "sk_skb_stream_parser", "sk_skb_stream_verdict", "cgroup_device", "sk_msg_verdict", "cgroup_inet4_bind",
                "cgroup_inet6_bind", "cgroup_inet4_connect", "cgroup_inet6_connect", "cgroup_inet4_post_bind",
                "cgroup_inet6_post_bind", "cgroup_udp4_sendmsg", "cgroup_udp6_sendmsg", "lirc_mode2",
                "flow_dissector", "cgroup_sysctl", "cgroup_udp4_recvmsg", "cgroup_udp6_recvmsg", "cgroup_getsockopt",
                "cgroup_setsockopt", "trace_raw_tp", "trace_fentry", "trace_fexit", "modify_return", "lsm_mac",
                "trace_iter", "cgroup_inet4_getpeername", "cgroup_inet6_getpeername", "cgroup_inet4_getsockname",
                "cgroup_inet6_getsockname", "xdp_devmap", "cgroup_inet_sock_release", "xdp_cpumap", "sk_lookup", "xdp",
                "sk_skb_verdict", "sk_reuseport_select", "sk_reuseport_select_or_migrate", "perf_event",
                "trace_kprobe_multi", "lsm_cgroup", "struct_ops", "netfilter", "tcx_ingress", "tcx_egress",
                "trace_uprobe_multi", "cgroup_unix_connect", "cgroup_unix_sendmsg", "cgroup_unix_recvmsg",
                "cgroup_unix_getpeername", "cgroup_unix_getsockname", "netkit_primary", "netkit_peer", "trace_kprobe_session"};
        return value >= 0 && value < names.length ? names[value] : null;
    }

    /** The text block for one link, ending in a newline. */
    public static String text(LinkInfo l) {
        StringBuilder sb = new StringBuilder();
        sb.append(Integer.toUnsignedString(l.id())).append(": ");
        sb.append(l.type() != null ? l.type().bpftoolName() + "  " : "type " + l.typeValue() + "  ");
        sb.append("prog ").append(Integer.toUnsignedString(l.progId())).append("  ");
        switch (l.detail()) {
            case LinkInfo.RawTracepoint r -> sb.append("\n\ttp '").append(r.tpName()).append("'  ");
            case LinkInfo.Tracing t -> {
                String at = attachType(t.attachType());
                sb.append("\n\tattach_type ").append(at != null ? at : Integer.toString(t.attachType())).append("  ");
                sb.append("target_obj_id ").append(Integer.toUnsignedString(t.targetObjId()))
                        .append("  target_btf_id ").append(Integer.toUnsignedString(t.targetBtfId())).append("  ");
            }
            case LinkInfo.Cgroup c -> {
                String at = attachType(c.attachType());
                sb.append("\n\tcgroup_id ").append(Long.toUnsignedString(c.cgroupId())).append("  ");
                sb.append("attach_type ").append(at != null ? at : Integer.toString(c.attachType())).append("  ");
            }
            default -> { }
        }
        sb.append('\n');
        return sb.toString();
    }

    /** The JSON object for one link, written into {@code json}. */
    public static void json(LinkInfo l, Json json) {
        json.beginObject();
        json.name("id").unsigned(Integer.toUnsignedLong(l.id()));
        if (l.type() != null) json.field("type", l.type().bpftoolName());
        else json.field("type", l.typeValue());
        json.name("prog_id").unsigned(Integer.toUnsignedLong(l.progId()));
        switch (l.detail()) {
            case LinkInfo.RawTracepoint r -> json.field("tp_name", r.tpName());
            case LinkInfo.Tracing t -> {
                String at = attachType(t.attachType());
                if (at != null) json.field("attach_type", at);
                else json.field("attach_type", t.attachType());
                json.name("target_obj_id").unsigned(Integer.toUnsignedLong(t.targetObjId()));
                json.name("target_btf_id").unsigned(Integer.toUnsignedLong(t.targetBtfId()));
            }
            case LinkInfo.Cgroup c -> {
                json.name("cgroup_id").unsigned(c.cgroupId());
                String at = attachType(c.attachType());
                if (at != null) json.field("attach_type", at);
                else json.field("attach_type", c.attachType());
            }
            default -> { }
        }
        json.endObject();
    }
}
