package org.bpf4j.btf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes raw BTF by hand, the way the kernel lays it out, for parser tests on data we control. */
public final class BtfBuilder {
    private final ByteArrayOutputStream types = new ByteArrayOutputStream();
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final Map<String, Integer> offsets = new LinkedHashMap<>();
    private int next = 1;

    public BtfBuilder() { strings.write(0); offsets.put("", 0); }

    public int str(String s) {
        return offsets.computeIfAbsent(s, k -> {
            int off = strings.size();
            strings.writeBytes(k.getBytes(StandardCharsets.UTF_8));
            strings.write(0);
            return off;
        });
    }

    private void u32(int v) {
        types.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    public int type(String name, Kind kind, int vlen, boolean kflag, int sizeOrType, int... data) {
        u32(str(name));
        u32(vlen | (kind.ordinal() << 24) | (kflag ? 1 << 31 : 0));
        u32(sizeOrType);
        for (int d : data) u32(d);
        return next++;
    }

    public byte[] build() {
        byte[] t = types.toByteArray(), s = strings.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(24 + t.length + s.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24).putInt(0).putInt(t.length).putInt(t.length).putInt(s.length);
        return b.put(t).put(s).array();
    }
}
