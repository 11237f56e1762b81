package org.bpf4j.lang.sema;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** IP address text to bytes, for pton(), without name look-ups. */
public final class Inet {
    private Inet() {}

    /** The 4 or 16 bytes of a numeric IPv4 or IPv6 address, or null. */
    public static byte[] parse(String s) {
        if (!s.matches("[0-9a-fA-F:.]+") || s.isEmpty()) return null;
        if (!s.contains(":") && !s.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) return null;
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
