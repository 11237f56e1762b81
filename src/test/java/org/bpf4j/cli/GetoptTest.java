package org.bpf4j.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The command line as GNU getopt_long reads it (bpftrace's option string and long options). */
class GetoptTest {
    private static final Getopt BPFTRACE = Getopt.of("dB:f:e:hlp:vqc:Vo:I:k", "help=h", "version=V", "unsafe", "include:",
            "info", "no-warnings", "usdt-file-activation");

    /** The parse of {@code line} (words split on spaces) as "name=value,... | operands". */
    private static String parse(String line) throws Getopt.Error {
        Getopt.Parsed p = BPFTRACE.parse(line.isEmpty() ? List.of() : Arrays.asList(line.split(" ")));
        List<String> opts = new ArrayList<>();
        for (Getopt.Opt o : p.options()) opts.add(o.value() == null ? o.name() : o.name() + "=" + o.value());
        return String.join(",", opts) + " | " + String.join(",", p.operands());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "-e prog;                      e=prog | ",
        "-eprog;                       e=prog | ",
        "-qv -dd;                      q,v,d,d | ",
        "-qe prog;                     q,e=prog | ",
        "-p123 file.bt 1 2;            p=123 | file.bt,1,2",
        "file.bt -v 1;                 v | file.bt,1",
        "-v -- -x -e;                  v | -x,-e",
        "- arg;                        ' | -,arg'",
        "--unsafe --include=a.h;       unsafe,include=a.h | ",
        "--include b.h --unsa;         include=b.h,unsafe | ",
        "--help;                       h | ",
        "--vers;                       V | ",
        "-kk;                          k,k | ",
    })
    void readsWhatGetoptReads(String line, String expected) throws Getopt.Error {
        assertEquals(expected.strip(), parse(line.strip()).strip());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '#', value = {
        "-Z#                UNKNOWN# invalid option -- 'Z'",
        "-qZ#               UNKNOWN# invalid option -- 'Z'",
        "-e#                MISSING_ARGUMENT# option requires an argument -- 'e'",
        "--bogus#           UNKNOWN# unrecognized option '--bogus'",
        "--include#         MISSING_ARGUMENT# option '--include' requires an argument",
        "--unsafe=1#        UNEXPECTED_ARGUMENT# option '--unsafe' doesn't allow an argument",
        "--in#              AMBIGUOUS# option '--in' is ambiguous; possibilities: '--include' '--info'",
    })
    void reportsMistakesInGetoptsWords(String line, Getopt.Error.Kind kind, String message) {
        Getopt.Error e = assertThrows(Getopt.Error.class, () -> parse(line.strip()));
        assertEquals(kind, e.kind());
        assertEquals(message.strip(), e.getMessage());
    }
}
