package org.bpf4j.exporter;

import org.bpf4j.UserException;
import org.bpf4j.symbols.Kallsyms;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** ebpf_exporter's YAML read and checked, and its label decoders on known bytes. */
class ObjectConfigTest {
    private static final Path FILE = Path.of("conf/bio.yaml");

    private static ObjectConfig parse(String yaml) {
        return ObjectConfig.parse("bio", FILE, yaml, Path.of("conf/bio.bpf.o"));
    }

    private static String error(String yaml) {
        return assertThrows(UserException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void readsEbpfExportersFormat() {
        ObjectConfig c = parse("""
                metrics:
                  histograms:
                    - name: bio_latency_seconds
                      help: Block IO latency histogram
                      bucket_type: exp2
                      bucket_min: 0
                      bucket_max: 27
                      bucket_multiplier: 0.000001 # microseconds to seconds
                      labels:
                        - name: device
                          size: 4
                          decoders:
                            - name: majorminor
                        - name: operation
                          size: 4
                          decoders:
                            - name: uint
                            - name: static_map
                              static_map:
                                0: read
                                1: write
                        - name: bucket
                          size: 8
                          decoders:
                            - name: uint
                """);
        assertEquals("bio", c.name());
        assertEquals(Path.of("conf/bio.bpf.o"), c.object());
        ObjectConfig.Histogram h = c.histograms().getFirst();
        assertEquals(ObjectConfig.BucketType.EXP2, h.bucketType());
        assertEquals(1e-6, h.multiplier());
        assertEquals(27, h.bucketMax());
        assertEquals(List.of("device", "operation", "bucket"), h.labels().stream().map(ObjectConfig.Label::name).toList());
        assertEquals(Map.of("0", "read", "1", "write"), h.labels().get(1).decoders().get(1).staticMap());
        assertTrue(c.counters().isEmpty());
    }

    @Test
    void mistakesNameTheFileLineAndColumn() {
        assertEquals("conf/bio.yaml:3:7: unknown key 'nmae' (expected one of flush_interval, help, labels, name, perf_event_array)",
                error("""
                        metrics:
                          counters:
                            - nmae: x_total
                        """));
        assertEquals("conf/bio.yaml:5:20: unknown histogram type: \"exp3\" (exp2, exp2zero, linear, fixed)", error("""
                metrics:
                  histograms:
                    - name: h
                      help: x
                      bucket_type: exp3
                """));
        assertEquals("conf/bio.yaml:9:21: unknown decoder \"unit\" (known: " + KeyDecoder.names() + ")", error("""
                metrics:
                  counters:
                    - name: c_total
                      help: x
                      labels:
                        - name: a
                          size: 8
                          decoders:
                            - name: unit
                """));
        assertEquals("conf/bio.yaml:3:7: missing 'help'", error("""
                metrics:
                  counters:
                    - name: c_total
                """));
        assertEquals("conf/bio.yaml:5:25: perf_event_array counters are not served by bpf4j yet", error("""
                metrics:
                  counters:
                    - name: oom_kills_total
                      help: x
                      perf_event_array: true
                """));
        assertEquals("conf/bio.yaml:1:10: tracing spans are not served by bpf4j yet", error("tracing: {spans: []}\n"));
        assertEquals("conf/bio.yaml:1:1: neither metrics nor tracing are defined for config \"bio\"", error("metrics: {}\n"));
        assertTrue(error("metrics: [\n").startsWith("conf/bio.yaml:2:1: "), error("metrics: [\n"));
        assertEquals("conf/bio.yaml:3:7: histogram h: buckets [bucket_min .. bucket_max] = [0 .. 0] are empty", error("""
                metrics:
                  histograms:
                    - name: h
                      help: x
                      bucket_type: exp2
                      labels: [{name: bucket, size: 8, decoders: [{name: uint}]}]
                """));
        assertEquals("conf/bio.yaml:3:13: 'bad-name' is not a valid Prometheus metric name", error("""
                metrics:
                  counters:
                    - name: bad-name
                      help: x
                """));
    }

    /** Found by fuzzing: a file that is not UTF-8 was refused in Java's words ("Input length = 1"). */
    @Test
    void aFileThatIsNotTextIsOneLineNamingTheByte(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("bin.yaml");
        Files.write(yaml, new byte[]{'m', 'e', (byte) 0xff, ':'});
        UserException e = assertThrows(UserException.class, () -> ObjectConfig.read(yaml));
        assertEquals(yaml + ":1:3: not UTF-8 text (byte 0xff at offset 2)", e.getMessage());
        assertEquals("config 'none': no file " + dir.resolve("none.yaml"),
                assertThrows(UserException.class, () -> ObjectConfig.read(dir.resolve("none.yaml"))).getMessage());
    }

    private static final KeyDecoder.Context CTX = new KeyDecoder.Context();

    private static String decode(KeyDecoder d, byte[] in) throws Exception {
        return decode(new ObjectConfig.Decoder(d, Map.of(), List.of(), false), in);
    }

    private static String decode(ObjectConfig.Decoder d, byte[] in) throws Exception {
        byte[] out = d.kind().decode(in, d, CTX);
        return out == null ? null : new String(out, StandardCharsets.UTF_8);
    }

    private static byte[] le(long v, int size) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
        return java.util.Arrays.copyOf(b.array(), size);
    }

    private static byte[] text(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    @Test
    void decodersGiveEbpfExportersText() throws Exception {
        assertEquals("18446744073709551615", decode(KeyDecoder.UINT, le(-1, 8)));
        assertEquals("4294967295", decode(KeyDecoder.UINT, le(0xffffffffL, 4)));
        assertEquals("513", decode(KeyDecoder.UINT, le(513, 2)));
        assertEquals("7", decode(KeyDecoder.UINT, le(7, 1)));
        assertThrows(KeyDecoder.DecodeException.class, () -> decode(KeyDecoder.UINT, new byte[3]));
        assertEquals("00ff10", decode(KeyDecoder.HEX, new byte[]{0, (byte) 0xff, 0x10}));
        assertEquals("bash", decode(KeyDecoder.STRING, text("bash\0\0junk")));
        assertEquals("ENOENT", decode(KeyDecoder.ERRNO, text("2")));
        assertEquals("unknown:4000", decode(KeyDecoder.ERRNO, text("4000")));
        assertEquals("getppid", decode(KeyDecoder.SYSCALL, text("110")));
        assertEquals("unknown_syscall:9999", decode(KeyDecoder.SYSCALL, text("9999")));
        assertEquals("10.0.0.1", decode(KeyDecoder.INET_IP, new byte[]{10, 0, 0, 1}));
        byte[] v6 = new byte[16];
        v6[0] = 0x20; v6[1] = 0x01; v6[2] = 0x0d; v6[3] = (byte) 0xb8; v6[15] = 1;
        assertEquals("2001:db8::1", decode(KeyDecoder.INET_IP, v6));
        byte[] loop6 = new byte[16];
        loop6[15] = 1;
        assertEquals("::1", decode(KeyDecoder.INET_IP, loop6));
        assertEquals("www.example.com", decode(KeyDecoder.DNAME, text("\3www\7example\3com")));
        assertEquals("lo", decode(KeyDecoder.IFNAME, le(1, 4)));
        assertEquals("unknown:999999", decode(KeyDecoder.IFNAME, le(999999, 4)));

        var map = new ObjectConfig.Decoder(KeyDecoder.STATIC_MAP, Map.of("1", "write"), List.of(), false);
        assertEquals("write", decode(map, text("1")));
        assertEquals("unknown:9", decode(map, text("9")));
        assertEquals("9", decode(new ObjectConfig.Decoder(KeyDecoder.STATIC_MAP, Map.of("1", "write"), List.of(), true), text("9")));

        var re = new ObjectConfig.Decoder(KeyDecoder.REGEXP, Map.of(), List.of(Pattern.compile("^sys_(\\w+)"), Pattern.compile("^java$")), false);
        assertEquals("read", decode(re, text("sys_read")));
        assertEquals("java", decode(re, text("java")));
        assertNull(decode(re, text("python")), "no match drops the series");
    }

    @Test
    void majorMinorNamesABlockDeviceFromProcPartitions() throws Exception {
        // the first partition line of this machine: "major minor blocks name"
        String[] f = Files.readAllLines(Path.of("/proc/partitions")).stream().skip(2).filter(l -> !l.isBlank())
                .findFirst().orElseThrow().trim().split("\\s+");
        long major = Long.parseLong(f[0]), minor = Long.parseLong(f[1]);
        long dev = (minor & 0xff) | (major << 8) | ((minor & ~0xffL) << 12);   // the kernel's new_encode_dev()
        assertEquals(f[3], decode(KeyDecoder.MAJORMINOR, le(dev, 4)));
        assertEquals("unknown:4000:7", decode(KeyDecoder.MAJORMINOR, le((7) | (4000L << 8), 4)));
    }

    @Test
    void ksymAndKstackNameKernelAddresses() throws Exception {
        Kallsyms k = Kallsyms.get();
        long addr = k.address("do_nanosleep").orElse(0L);
        org.junit.jupiter.api.Assumptions.assumeTrue(addr != 0, "kallsyms shows no addresses to this user");
        assertEquals("do_nanosleep", decode(KeyDecoder.KSYM, le(addr + 1, 8)));
        byte[] stack = new byte[32];
        ByteBuffer.wrap(stack).order(ByteOrder.LITTLE_ENDIAN).putLong(addr).putLong(addr + 2).putLong(0).putLong(addr);
        assertEquals("do_nanosleep\ndo_nanosleep", decode(KeyDecoder.KSTACK, stack));
    }
}
