package org.bpf4j.tool;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** argparse's layout and errors, as BCC's tools print them. */
class ArgsTest {
    private static Args opensnoopLike() {
        return Args.of("opensnoop", "Trace open() syscalls", "examples:\n    ./opensnoop -T\n")
                .flag('T', "timestamp", "include timestamp on output")
                .flag('U', "print-uid", "print UID column")
                .flag('x', "failed", "only show failed opens")
                .integer('p', "pid", "PID", "trace this PID only")
                .integer('t', "tid", "TID", "trace this TID only")
                .integer('u', "uid", "UID", "trace this UID only")
                .integer('d', "duration", "DURATION", "total duration of trace in seconds")
                .string('n', "name", "NAME", "only print process names containing this name")
                .flag('e', "extended_fields", "show extended fields");
    }

    @Test
    void usageWrapsAsArgparse() {
        assertEquals("""
                usage: opensnoop [-h] [-T] [-U] [-x] [-p PID] [-t TID] [-u UID] [-d DURATION]
                                 [-n NAME] [-e]
                """, opensnoopLike().usage());
    }

    @Test
    void helpLaysOutOptions() throws Exception {
        Args.Exit x = assertThrows(Args.Exit.class, () -> opensnoopLike().parse(List.of("-h")));
        assertEquals(0, x.status());
        assertTrue(x.out().contains("""
                optional arguments:
                  -h, --help            show this help message and exit
                  -T, --timestamp       include timestamp on output
                """), x.out());
        assertTrue(x.out().contains("""
                  -n NAME, --name NAME  only print process names containing this name
                """), x.out());
        assertTrue(x.out().endsWith("examples:\n    ./opensnoop -T\n"), x.out());
    }

    @Test
    void valuesClustersAndPrefixes() throws Exception {
        Args.Parsed p = opensnoopLike().parse(List.of("-Tx", "-p123", "--dur=5", "--name", "sh"));
        assertTrue(p.flag("timestamp"));
        assertTrue(p.flag("failed"));
        assertEquals(123, p.integer("pid", 0));
        assertEquals(5, p.integer("duration", 0));
        assertEquals("sh", p.string("name"));
        assertFalse(p.has("tid"));
    }

    @Test
    void mistakesAreArgparseErrors() {
        Args.Exit bad = assertThrows(Args.Exit.class, () -> opensnoopLike().parse(List.of("-p", "abc")));
        assertEquals(2, bad.status());
        assertTrue(bad.err().endsWith("opensnoop: error: argument -p/--pid: invalid int value: 'abc'\n"), bad.err());
        assertTrue(bad.err().startsWith("usage: opensnoop [-h]"), bad.err());
        assertTrue(assertThrows(Args.Exit.class, () -> opensnoopLike().parse(List.of("-Z"))).err()
                .endsWith("opensnoop: error: unrecognized arguments: -Z\n"));
        assertTrue(assertThrows(Args.Exit.class, () -> opensnoopLike().parse(List.of("-p"))).err()
                .endsWith("opensnoop: error: argument -p/--pid: expected one argument\n"));
    }

    @Test
    void positionalsAsIntervalAndCount() throws Exception {
        Args a = Args.of("biolatency", "Summarize block device I/O latency as a histogram", "")
                .flag('T', "timestamp", "include timestamp on output")
                .positional("interval", "output interval, in seconds")
                .positional("count", "number of outputs");
        Args.Parsed p = a.parse(List.of("1", "5", "-T"));
        assertEquals(1, p.integer("interval", 99));
        assertEquals(5, p.integer("count", 99));
        assertTrue(a.usage().startsWith("usage: biolatency [-h] [-T] [interval] [count]"));
        assertTrue(assertThrows(Args.Exit.class, () -> a.parse(List.of("1", "2", "3"))).err().endsWith("unrecognized arguments: 3\n"));
    }

    @Test
    void aDigitOptionMakesMinusDigitAnOption() throws Exception {
        Args a = Args.of("tcptop", "Summarize TCP send/recv throughput by host", "")
                .flag('4', "ipv4", "trace IPv4 family only")
                .positional("interval", "output interval, in seconds");
        Args.Parsed p = a.parse(List.of("-4", "5"));
        assertTrue(p.flag("ipv4"));
        assertEquals(5, p.integer("interval", 0));
        // argparse: with an option like -4, any negative-number-like argument is an option
        assertTrue(assertThrows(Args.Exit.class, () -> a.parse(List.of("-7"))).err().endsWith("unrecognized arguments: -7\n"));
        Args plain = Args.of("x", "", "").positional("interval", "");
        assertEquals(-7, plain.parse(List.of("-7")).integer("interval", 0));
    }

    @Test
    void aRequiredPositionalIsAString() throws Exception {
        Args a = Args.of("funccount", "Count functions, tracepoints, and USDT probes", "")
                .integer('p', "pid", "PID", "trace this PID only")
                .required("pattern", "search expression for events");
        assertEquals("t:sched:*", a.parse(List.of("-p", "1", "t:sched:*")).string("pattern"));
        assertEquals("usage: funccount [-h] [-p PID] pattern\n", a.usage());
        assertTrue(a.help().contains("\npositional arguments:\n  pattern            search expression for events\n"), a.help());
        Args.Exit missing = assertThrows(Args.Exit.class, () -> a.parse(List.of("-p", "1")));
        assertEquals(2, missing.status());
        assertTrue(missing.err().endsWith("funccount: error: the following arguments are required: pattern\n"), missing.err());
    }

    @Test
    void aRequiredPositionalAsTheLanguageToolsPid() throws Exception {
        Args a = Args.of("javacalls", "Summarize method calls in Java processes", "")
                .requiredInteger("pid", "process id to attach to")
                .positional("interval", "print every specified number of seconds")
                .flag('L', "latency", "record method latency from enter to exit");
        assertTrue(a.usage().startsWith("usage: javacalls [-h] [-L] pid [interval]"), a.usage());
        Args.Parsed p = a.parse(List.of("-L", "185", "1"));
        assertEquals(185, p.integer("pid", 0));
        assertEquals(1, p.integer("interval", 0));
        Args.Exit missing = assertThrows(Args.Exit.class, () -> a.parse(List.of("-L")));
        assertEquals(2, missing.status());
        assertTrue(missing.err().endsWith("javacalls: error: the following arguments are required: pid\n"), missing.err());
    }

    @Test
    void repeatedOptionsAndOneOrMorePositionals() throws Exception {
        Args a = Args.of("argdist", "d", "").strings('C', "count", "specifier", "count").requiredList("probe", "probes");
        Args.Parsed p = a.parse(List.of("-C", "x", "a", "--count=y", "b", "-Cz"));
        assertEquals(List.of("x", "y", "z"), p.strings("count"));
        assertEquals(List.of("a", "b"), p.strings("probe"));
        assertEquals(List.of(), Args.of("t", "d", "").strings('H', "histogram", "specifier", "h").parse(List.of()).strings("histogram"));
        assertEquals("usage: argdist [-h] [-C specifier] probe [probe ...]\n", a.usage());
        Args.Exit x = assertThrows(Args.Exit.class, () -> a.parse(List.of("-C", "x")));
        assertEquals(2, x.status());
        assertTrue(x.err().endsWith("argdist: error: the following arguments are required: probe\n"), x.err());
    }
}
