package org.bpf4j.vm.verifier;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader for the YAML subset PREVAIL's test files use: documents separated by {@code ---}; top-level keys
 * with a scalar, a flow list ({@code ["a", "b"]}, possibly over several lines), a block list ({@code - item})
 * or, for {@code code}, a mapping of {@code <label>: |} block scalars. Comments start with {@code #} at the
 * start of a line (inside a block scalar they are kept).
 */
final class YamlCases {
    private YamlCases() {}

    /** One case: its name, options, entry constraints, labelled code blocks in order, and expected messages. */
    record Case(String file, String name, List<String> options, List<String> pre, Map<String, String> code,
                List<String> messages, boolean hasException) {
        /** PREVAIL's label as its corpus states it: accepted when it expects no message at all. */
        boolean accepted() { return messages.isEmpty(); }

        /** Accepted, counting "Code becomes unreachable" notes as the warnings they are rather than rejections. */
        boolean acceptedIgnoringUnreachable() {
            return messages.stream().allMatch(m -> m.contains("Code becomes unreachable"));
        }

        @Override
        public String toString() { return file + ": " + name; }
    }

    static List<Case> parse(String file, String text) {
        List<Case> out = new ArrayList<>();
        List<String> doc = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            if (line.equals("---")) {
                add(file, doc, out);
                doc.clear();
            } else {
                doc.add(line);
            }
        }
        add(file, doc, out);
        return out;
    }

    private static void add(String file, List<String> lines, List<Case> out) {
        Map<String, Object> doc = document(lines);
        if (!doc.containsKey("test-case")) return;
        @SuppressWarnings("unchecked")
        Map<String, String> code = (Map<String, String>) doc.getOrDefault("code", Map.of());
        out.add(new Case(file, (String) doc.get("test-case"), list(doc.get("options")), list(doc.get("pre")), code,
                list(doc.get("messages")), doc.containsKey("expected-exception")));
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Object o) {
        return o instanceof List<?> l ? (List<String>) l : List.of();
    }

    private static Map<String, Object> document(List<String> lines) {
        Map<String, Object> doc = new LinkedHashMap<>();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#") || Character.isWhitespace(line.charAt(0))) {
                i++;
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                i++;
                continue;
            }
            String key = line.substring(0, colon).trim();
            String rest = line.substring(colon + 1).trim();
            i++;
            if (key.equals("code")) {
                Map<String, String> blocks = new LinkedHashMap<>();
                while (i < lines.size() && (lines.get(i).isBlank() || Character.isWhitespace(lines.get(i).charAt(0)))) {
                    String l = lines.get(i).trim();
                    i++;
                    if (l.startsWith("<") && l.contains(">:")) {
                        String label = l.substring(1, l.indexOf(">:"));
                        String inline = l.substring(l.indexOf(">:") + 2).trim();
                        StringBuilder body = new StringBuilder(inline.equals("|") ? "" : inline + "\n");
                        while (i < lines.size() && (lines.get(i).isBlank() || lines.get(i).startsWith("    "))) {
                            body.append(lines.get(i).strip()).append('\n');
                            i++;
                        }
                        blocks.put(label, body.toString());
                    }
                }
                doc.put(key, blocks);
            } else if (rest.startsWith("[")) {
                StringBuilder flow = new StringBuilder(rest);
                while (!balanced(flow) && i < lines.size()) flow.append(' ').append(lines.get(i++).trim());
                doc.put(key, flowList(flow.toString()));
            } else if (rest.isEmpty()) {
                List<String> items = new ArrayList<>();
                while (i < lines.size() && (lines.get(i).isBlank() || Character.isWhitespace(lines.get(i).charAt(0)) || lines.get(i).startsWith("-"))) {
                    String l = lines.get(i).trim();
                    i++;
                    if (l.startsWith("- ")) items.add(unquote(l.substring(2).trim()));
                }
                doc.put(key, items);
            } else {
                doc.put(key, unquote(rest));
            }
        }
        return doc;
    }

    private static boolean balanced(CharSequence s) {
        int depth = 0;
        boolean quoted = false;
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == '"') quoted = !quoted;
            else if (!quoted && c == '[') depth++;
            else if (!quoted && c == ']') depth--;
        }
        return depth == 0;
    }

    private static List<String> flowList(String s) {
        List<String> out = new ArrayList<>();
        String body = s.substring(s.indexOf('[') + 1, s.lastIndexOf(']'));
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        int depth = 0;
        for (int k = 0; k < body.length(); k++) {
            char c = body.charAt(k);
            if (c == '"') quoted = !quoted;
            if (!quoted && c == '[') depth++;
            if (!quoted && c == ']') depth--;
            if (c == ',' && !quoted && depth == 0) {
                if (!cur.toString().isBlank()) out.add(unquote(cur.toString().trim()));
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.toString().isBlank()) out.add(unquote(cur.toString().trim()));
        return out;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }
}
