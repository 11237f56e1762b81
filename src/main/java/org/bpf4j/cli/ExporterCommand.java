package org.bpf4j.cli;

import org.bpf4j.UserException;
import org.bpf4j.exporter.Exporter;
import org.bpf4j.exporter.HttpEndpoints;
import org.bpf4j.sys.Privileges;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bpf4j exporter}: bpftrace scripts' maps served as Prometheus metrics (and pushed over OTLP/HTTP), as a
 * long-lived service. SIGTERM or Ctrl-C detaches everything and exits 0.
 */
@Command(name = "exporter", mixinStandardHelpOptions = true,
        description = "Serve the maps of bpftrace scripts, and ebpf_exporter's configs (YAML + clang-built object), as Prometheus metrics (and push them over OTLP/HTTP).",
        footer = {"", "examples:",
                "    bpf4j exporter --script runqlat.bt                      # http://0.0.0.0:9435/metrics",
                "    bpf4j exporter --config.dir examples --config.names biolatency,timers   # ebpf_exporter's configs",
                "    bpf4j exporter --listen 127.0.0.1:9435 --script a.bt --script b.bt --otlp http://collector:4318/v1/metrics"})
public final class ExporterCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "ADDR:PORT", description = "Where to serve HTTP (default ${DEFAULT-VALUE}; port 0: any free port).")
    String listen = "0.0.0.0:9435";

    @Option(names = "--script", paramLabel = "FILE.bt", description = "A bpftrace script whose maps become metric families (repeatable).")
    List<Path> scripts = new ArrayList<>();

    @Option(names = "--otlp", paramLabel = "URL", description = "Push the metrics over OTLP/HTTP (protobuf) to this URL, e.g. http://localhost:4318/v1/metrics.")
    String otlp;

    @Option(names = "--otlp-interval", paramLabel = "SECONDS", description = "Seconds between OTLP pushes (default ${DEFAULT-VALUE}).")
    double otlpInterval = 10;

    @Option(names = "--max-series", paramLabel = "N", description = "Series per family at most; more are dropped and counted (default ${DEFAULT-VALUE}).")
    int maxSeries = 10_000;

    @Option(names = "--config.dir", paramLabel = "DIR", description = "ebpf_exporter's config directory: NAME.yaml beside each clang-built NAME.bpf.o (default: the current directory).")
    String configDir;

    @Option(names = "--config.names", paramLabel = "NAMES", description = "ebpf_exporter's configs to load from --config.dir, comma-separated (e.g. biolatency,timers).")
    String configNames;

    @Override
    public Integer call() {
        List<Path> configs = new ArrayList<>();
        if (configDir != null && configNames == null) throw new UserException("--config.dir needs --config.names: which of its configs to load");
        if (configNames != null) {
            Path dir = Path.of(configDir == null ? "." : configDir);
            if (!java.nio.file.Files.isDirectory(dir)) throw new UserException("--config.dir " + dir + ": no such directory");
            for (String n : configNames.split(",")) {
                if (n.isBlank()) throw new UserException("--config.names '" + configNames + "': an empty name");
                configs.add(dir.resolve(n.strip() + ".yaml"));
            }
        }
        if (maxSeries < 1) throw new UserException("--max-series must be at least 1");
        if (otlpInterval <= 0) throw new UserException("--otlp-interval must be positive");
        int colon = listen.lastIndexOf(':');
        if (colon < 0) throw new UserException("--listen '" + listen + "': expected ADDR:PORT, e.g. 127.0.0.1:9435");
        String host = listen.substring(0, colon).replaceAll("^\\[|\\]$", "");
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) throw new UserException("--listen '" + listen + "': the port must be a number in 0..65535");
        for (Path p : scripts) if (!p.toString().endsWith(".bt")) throw new UserException("--script " + p + ": expected a bpftrace script (FILE.bt)");
        java.net.URI otlpUri = null;
        if (otlp != null) {
            try {
                otlpUri = java.net.URI.create(otlp);
            } catch (IllegalArgumentException e) {
                throw new UserException("--otlp '" + otlp + "': not a URL");
            }
            if (!"http".equals(otlpUri.getScheme()) && !"https".equals(otlpUri.getScheme()))
                throw new UserException("--otlp '" + otlp + "': expected an http:// or https:// URL");
        }
        if (scripts.isEmpty() && configs.isEmpty()) throw new UserException("nothing to serve: give --script FILE.bt or --config.names NAMES");
        Privileges.requireTracing("bpf4j exporter");
        Shutdown.install();
        try (Exporter exporter = Exporter.start(new Exporter.Options(scripts, configs, maxSeries), System.err);
             HttpEndpoints http = HttpEndpoints.serve(exporter, host.isEmpty() ? "0.0.0.0" : host, port);
             AutoCloseable push = otlpUri == null ? () -> { } : org.bpf4j.exporter.OtlpPush.start(exporter, otlpUri, otlpInterval)) {
            System.err.println("bpf4j exporter: serving http://" + (host.isEmpty() ? "0.0.0.0" : host) + ":" + http.port() + "/metrics");
            System.err.flush();
            while (!Shutdown.requested()) Thread.sleep(100);
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            Shutdown.finished();
        }
    }
}
