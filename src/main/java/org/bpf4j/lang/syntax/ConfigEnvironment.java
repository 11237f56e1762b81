package org.bpf4j.lang.syntax;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * bpftrace v0.26's environment variables as config settings: {@code BPFTRACE_MAX_STRLEN=9999} is
 * {@code config = { max_strlen = 9999 }}, for every name of the man page's config list. The environment wins
 * over the script's config block, as in bpftrace (its "env var takes precedence" case).
 */
public final class ConfigEnvironment {
    private ConfigEnvironment() {}

    /** {@code script} with the config settings {@code env} (a process environment) gives added, replacing the block's. */
    public static Script apply(Script script, Map<String, String> env) {
        Map<String, String> config = new LinkedHashMap<>(script.config());
        for (String name : V026.CONFIG) {
            String value = env.get("BPFTRACE_" + name.toUpperCase(Locale.ROOT));
            if (value != null) config.put(name, value);
        }
        // bpftrace's test hook: tseries() reads its time from a scalar map (see sema.Config.dummyTsMap)
        String dummy = env.get("BPFTRACE_DUMMY_TS_MAP");
        if (dummy != null && !dummy.isEmpty()) config.put("dummy_ts_map", dummy);
        if (config.equals(script.config())) return script;
        return new Script(script.source(), script.structs(), script.probes(), script.includes(), script.silent(), script.stap(), config,
                script.declared(), script.enums());
    }
}
