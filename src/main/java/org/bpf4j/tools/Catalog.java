package org.bpf4j.tools;

import java.util.List;
import java.util.Optional;

/** The BCC tools {@code bpf4j} runs, in the order its help lists them. */
public final class Catalog {
    private Catalog() {}

    /** Every tool. */
    public static List<CliTool> all() {
        return List.of(new KillsnoopCommand(), new Opensnoop(), new Execsnoop(), new Biolatency(), new Biosnoop(), new Bitesize(), new Runqlat(), new Capable(), new Tcpconnect(), new Exitsnoop(), new Oomkill(), new Cpudist(), new Tcplife(), new Statsnoop(), new Gethostlatency(), new Bashreadline(), new Filelife(),
                new Syscount(), new Runqslower(), new Runqlen(), new Tcpretrans(), new Cachestat(), new Funccount(), new Tcpaccept(), new Filetop(), new Tcptop(),
                new Profile(), new Offcputime(),
                new Trace(), new Argdist(),
                new Memleak(), new Ext4slower(),

                new Javagc(), new Javathreads(), new Javaobjnew(), new Javacalls(), new Javaflow(), new Javastat(), new Javaevents());
    }

    /** The tool called {@code name}. */
    public static Optional<CliTool> find(String name) {
        for (CliTool t : all()) if (t.name().equals(name)) return Optional.of(t);
        return Optional.empty();
    }
}
