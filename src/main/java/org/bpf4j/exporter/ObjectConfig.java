package org.bpf4j.exporter;

import org.bpf4j.InputFiles;
import org.bpf4j.UserException;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One of ebpf_exporter's configs, unchanged from its format: {@code DIR/NAME.yaml} says which maps of the
 * clang-built {@code DIR/NAME.bpf.o} are counters and histograms and how their keys decode into labels. Read with
 * every value checked; a mistake is one {@link UserException} naming the file, line and column. Parts of the format
 * bpf4j does not serve yet (perf_event_array counters, tracing spans, kaddrs, cgroup id maps) are refused by name.
 *
 * @param name       the config's name ({@code NAME})
 * @param object     the BPF object beside it
 * @param counters   maps served as counters
 * @param histograms maps served as histograms (the last label is the bucket)
 */
public record ObjectConfig(String name, Path object, List<Counter> counters, List<Histogram> histograms) {
    /** A counter: the map named {@code name} (u64 values), one series per decoded key. */
    public record Counter(String name, String help, List<Label> labels) {}

    /** A histogram: the map named {@code name}; its key ends with the bucket number. */
    public record Histogram(String name, String help, BucketType bucketType, double multiplier, int bucketMin,
                            int bucketMax, List<Double> bucketKeys, List<Label> labels) {}

    /** One part of a map's key: {@code size} bytes, then {@code padding} bytes skipped, decoded in turn. */
    public record Label(String name, int size, int padding, List<Decoder> decoders) {}

    /** One decoding step, with the options of {@code static_map} and {@code regexp}. */
    public record Decoder(KeyDecoder kind, Map<String, String> staticMap, List<Pattern> regexps, boolean allowUnknown) {}

    /** How a histogram's bucket numbers become upper bounds (ebpf_exporter's {@code bucket_type}). */
    public enum BucketType {
        /** Bucket {@code i} holds values up to 2^i. */
        EXP2("exp2"),
        /** Bucket 0 holds zero, bucket {@code i} values up to 2^(i-1). */
        EXP2ZERO("exp2zero"),
        /** Bucket {@code i} holds values up to {@code i}. */
        LINEAR("linear"),
        /** The buckets are the listed {@code bucket_keys}. */
        FIXED("fixed");

        private final String yaml;

        BucketType(String yaml) { this.yaml = yaml; }

        /** The name in the YAML. */
        public String yaml() { return yaml; }

        /** The upper bound of bucket {@code i}, before the multiplier. */
        double bound(double i) {
            return switch (this) {
                case EXP2 -> Math.scalb(1.0, (int) i);
                case EXP2ZERO -> i == 0 ? 0 : Math.scalb(1.0, (int) i - 1);
                case LINEAR, FIXED -> i;
            };
        }
    }

    /** Reads {@code DIR/NAME.yaml} (the object is {@code DIR/NAME.bpf.o}, checked when loaded). */
    public static ObjectConfig read(Path file) {
        String name = file.getFileName().toString().replaceFirst("\\.yaml$", "");
        if (!Files.exists(file)) throw new UserException("config '" + name + "': no file " + file);
        String text = InputFiles.utf8(InputFiles.read(file, InputFiles.TEXT_LIMIT), file.toString());
        return parse(name, file, text, file.resolveSibling(name + ".bpf.o"));
    }

    /** Parses {@code text}, the contents of {@code file}. */
    static ObjectConfig parse(String name, Path file, String text, Path object) {
        checkNesting(file, text);
        Node root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(file.toString()).build()).composeString(text)
                    .orElseThrow(() -> new UserException(file + ": empty config (expected metrics:)"));
        } catch (MarkedYamlEngineException e) {
            String where = e.getProblemMark().map(m -> file + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1)).orElse(file.toString());
            throw new UserException(where + ": " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new UserException(file + ": " + e.getMessage());
        }
        Reader r = new Reader(file);
        Map<String, Node> top = r.mapping(root, Set.of("metrics", "tracing", "kaddrs", "cgroup_id_map"));
        r.refuse(top, "tracing", "tracing spans are not served by bpf4j yet");
        r.refuse(top, "kaddrs", "kaddrs are not supported by bpf4j yet");
        r.refuse(top, "cgroup_id_map", "cgroup_id_map is not supported by bpf4j yet");
        Node metricsNode = top.get("metrics");
        if (metricsNode == null) throw r.error(root, "neither metrics nor tracing are defined for config \"" + name + "\"");
        Map<String, Node> metrics = r.mapping(metricsNode, Set.of("counters", "histograms"));
        List<Counter> counters = new ArrayList<>();
        for (Node n : r.sequence(metrics.get("counters"))) {
            Map<String, Node> c = r.mapping(n, Set.of("name", "help", "labels", "perf_event_array", "flush_interval"));
            if (c.containsKey("perf_event_array") && r.bool(c.get("perf_event_array")))
                throw r.error(c.get("perf_event_array"), "perf_event_array counters are not served by bpf4j yet");
            r.refuse(c, "flush_interval", "flush_interval (of perf_event_array counters) is not supported by bpf4j yet");
            counters.add(new Counter(r.metricName(c, n), r.string(r.required(c, "help", n)), r.labels(c.get("labels"))));
        }
        List<Histogram> histograms = new ArrayList<>();
        for (Node n : r.sequence(metrics.get("histograms"))) {
            Map<String, Node> h = r.mapping(n, Set.of("name", "help", "bucket_type", "bucket_multiplier", "bucket_min",
                    "bucket_max", "bucket_keys", "labels"));
            String metric = r.metricName(h, n);
            Node typeNode = r.required(h, "bucket_type", n);
            String typeText = r.string(typeNode);
            BucketType type = null;
            for (BucketType t : BucketType.values()) if (t.yaml().equals(typeText)) type = t;
            if (type == null) throw r.error(typeNode, "unknown histogram type: \"" + typeText + "\" (exp2, exp2zero, linear, fixed)");
            double multiplier = h.containsKey("bucket_multiplier") ? r.number(h.get("bucket_multiplier")) : 1;
            if (multiplier == 0) multiplier = 1;
            int min = h.containsKey("bucket_min") ? r.integer(h.get("bucket_min")) : 0;
            int max = h.containsKey("bucket_max") ? r.integer(h.get("bucket_max")) : 0;
            List<Double> keys = new ArrayList<>();
            for (Node k : r.sequence(h.get("bucket_keys"))) keys.add(r.number(k));
            if (type == BucketType.FIXED && keys.isEmpty())
                throw r.error(n, "histogram " + metric + ": bucket_type fixed needs bucket_keys");
            if (type != BucketType.FIXED && max <= min)
                throw r.error(n, "histogram " + metric + ": buckets [bucket_min .. bucket_max] = [" + min + " .. " + max + "] are empty");
            if (type != BucketType.FIXED && type != BucketType.LINEAR && max > 1000)
                throw r.error(h.get("bucket_max"), "histogram " + metric + ": bucket_max " + max + " is past 2^1000");
            List<Label> labels = r.labels(h.get("labels"));
            if (labels.isEmpty()) throw r.error(n, "histogram " + metric + ": needs at least the bucket label (the last of its labels)");
            histograms.add(new Histogram(metric, r.string(r.required(h, "help", n)), type, multiplier, min, max, List.copyOf(keys), labels));
        }
        if (counters.isEmpty() && histograms.isEmpty()) throw r.error(root, "neither metrics nor tracing are defined for config \"" + name + "\"");
        return new ObjectConfig(name, object, List.copyOf(counters), List.copyOf(histograms));
    }

    /** Deeper than any config needs; the YAML composer recurses once per level. */
    static final int MAX_NESTING = 64;

    /**
     * Refuses text nested past {@link #MAX_NESTING} before the YAML library composes it (its recursion would
     * overflow the stack): flow collections by their open brackets outside quotes and comments, block ones by a
     * line's indentation plus its leading "- " and "? " indicators, which bound the depth a line can reach.
     */
    private static void checkNesting(Path file, String text) {
        int depth = 0, line = 1;
        char quote = 0;
        boolean comment = false, lineStart = true;
        int indent = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                comment = false;
                lineStart = true;
                indent = 0;
                continue;
            }
            if (lineStart) {
                if (c == ' ' || ((c == '-' || c == '?') && (i + 1 == text.length() || text.charAt(i + 1) == ' '))) {
                    indent++;
                    if (indent > MAX_NESTING * 4) throw nested(file, line);
                    continue;
                }
                lineStart = false;
            }
            if (comment) continue;
            if (quote != 0) {
                if (c == quote) quote = 0;
                else if (c == '\\' && quote == '"') i++;
                continue;
            }
            switch (c) {
                case '"', '\'' -> quote = c;
                case '#' -> comment = true;
                case '[', '{' -> { if (++depth > MAX_NESTING) throw nested(file, line); }
                case ']', '}' -> depth = Math.max(0, depth - 1);
                default -> { }
            }
        }
    }

    private static UserException nested(Path file, int line) {
        return new UserException(file + ":" + line + ": nested more than " + MAX_NESTING + " levels deep");
    }

    /** Walks the YAML nodes, each error naming the node's place in the file. */
    private record Reader(Path file) {
        private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

        UserException error(Node n, String message) {
            Mark m = n.getStartMark().orElse(null);
            return new UserException((m == null ? file.toString() : file + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1)) + ": " + message);
        }

        Map<String, Node> mapping(Node n, Set<String> keys) {
            if (!(n instanceof MappingNode m)) throw error(n, "expected a mapping (key: value)");
            Map<String, Node> out = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                String key = string(t.getKeyNode());
                if (!keys.contains(key)) throw error(t.getKeyNode(), "unknown key '" + key + "' (expected one of " + String.join(", ", keys.stream().sorted().toList()) + ")");
                if (out.put(key, t.getValueNode()) != null) throw error(t.getKeyNode(), "key '" + key + "' given twice");
            }
            return out;
        }

        List<Node> sequence(Node n) {
            if (n == null) return List.of();
            if (n instanceof ScalarNode s && s.getValue().isEmpty()) return List.of();   // "counters:" with nothing after
            if (!(n instanceof SequenceNode s)) throw error(n, "expected a list (- item)");
            return s.getValue();
        }

        Node required(Map<String, Node> m, String key, Node owner) {
            Node n = m.get(key);
            if (n == null) throw error(owner, "missing '" + key + "'");
            return n;
        }

        void refuse(Map<String, Node> m, String key, String message) {
            if (m.containsKey(key)) throw error(m.get(key), message);
        }

        String string(Node n) {
            if (!(n instanceof ScalarNode s)) throw error(n, "expected a single value");
            return s.getValue();
        }

        boolean bool(Node n) {
            return switch (string(n)) {
                case "true", "True", "TRUE" -> true;
                case "false", "False", "FALSE" -> false;
                default -> throw error(n, "expected true or false");
            };
        }

        int integer(Node n) {
            try {
                return Integer.parseInt(string(n));
            } catch (NumberFormatException e) {
                throw error(n, "expected an integer, not '" + string(n) + "'");
            }
        }

        double number(Node n) {
            try {
                double d = Double.parseDouble(string(n));
                if (Double.isFinite(d)) return d;
            } catch (NumberFormatException e) {
                // below
            }
            throw error(n, "expected a number, not '" + string(n) + "'");
        }

        String metricName(Map<String, Node> m, Node owner) {
            Node n = required(m, "name", owner);
            String name = string(n);
            if (!METRIC_NAME.matcher(name).matches()) throw error(n, "'" + name + "' is not a valid Prometheus metric name");
            return name;
        }

        List<Label> labels(Node n) {
            List<Label> out = new ArrayList<>();
            for (Node item : sequence(n)) {
                Map<String, Node> l = mapping(item, Set.of("name", "size", "padding", "decoders"));
                Node nameNode = required(l, "name", item);
                String name = string(nameNode);
                if (!Pattern.matches("[a-zA-Z_][a-zA-Z0-9_]*", name) || name.startsWith("__"))
                    throw error(nameNode, "'" + name + "' is not a valid Prometheus label name");
                int size = integer(required(l, "size", item));
                if (size <= 0 || size > 4096) throw error(l.get("size"), "label " + name + ": size must be 1..4096 bytes");
                int padding = l.containsKey("padding") ? integer(l.get("padding")) : 0;
                if (padding < 0 || padding > 4096) throw error(l.get("padding"), "label " + name + ": padding must be 0..4096 bytes");
                List<Decoder> decoders = new ArrayList<>();
                for (Node d : sequence(l.get("decoders"))) decoders.add(decoder(d));
                if (decoders.isEmpty()) throw error(item, "label " + name + ": no decoders set");
                out.add(new Label(name, size, padding, List.copyOf(decoders)));
            }
            return List.copyOf(out);
        }

        Decoder decoder(Node n) {
            Map<String, Node> d = mapping(n, Set.of("name", "static_map", "regexps", "allow_unknown"));
            Node nameNode = required(d, "name", n);
            KeyDecoder kind = KeyDecoder.named(string(nameNode))
                    .orElseThrow(() -> error(nameNode, "unknown decoder \"" + string(nameNode) + "\" (known: " + KeyDecoder.names() + ")"));
            if (!kind.supported()) throw error(nameNode, "decoder " + kind.yaml() + " is not supported by bpf4j yet (it needs the PCI ID database)");
            Map<String, String> staticMap = new LinkedHashMap<>();
            if (d.containsKey("static_map")) {
                if (!(d.get("static_map") instanceof MappingNode m)) throw error(d.get("static_map"), "expected a mapping of values to names");
                for (NodeTuple t : m.getValue()) staticMap.put(string(t.getKeyNode()), string(t.getValueNode()));
            }
            List<Pattern> regexps = new ArrayList<>();
            for (Node r : sequence(d.get("regexps"))) {
                try {
                    regexps.add(Pattern.compile(string(r)));
                } catch (PatternSyntaxException e) {
                    throw error(r, "bad regexp: " + e.getDescription());
                }
            }
            if (kind == KeyDecoder.REGEXP && regexps.isEmpty()) throw error(n, "decoder regexp needs regexps");
            boolean allowUnknown = d.containsKey("allow_unknown") && bool(d.get("allow_unknown"));
            return new Decoder(kind, Map.copyOf(staticMap), List.copyOf(regexps), allowUnknown);
        }
    }
}
