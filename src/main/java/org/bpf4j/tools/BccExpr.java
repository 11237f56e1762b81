package org.bpf4j.tools;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * BCC's C expressions in trace's and argdist's probe specifiers, rewritten into the tracing language: BCC's aliases
 * ({@code arg1}..{@code arg6}, {@code retval}/{@code $retval}, {@code $pid} (the thread), {@code $tgid}, {@code $uid},
 * {@code $gid}, {@code $cpu}, {@code $task}, argdist's {@code $PID} and {@code $COMM}), {@code argN@user},
 * {@code STRCMP("literal", expr)}, and the parameter names of a function signature ({@code (int fd, size_t len)})
 * as the arguments they are, cast to their C type. The rest of C's expression syntax (operators, {@code ->},
 * casts to the tracing language's integer types) is the language's own; what it does not take is reported by its
 * compiler with the place.
 */
final class BccExpr {
    private BccExpr() {}

    private static final Pattern WORD = Pattern.compile("\\$?[A-Za-z_]\\w*(@user)?");
    private static final Pattern STRCMP = Pattern.compile("STRCMP\\(\\s*(\"[^\"]*\")\\s*,\\s*([^)]*)\\)");

    /** The tracing language's integer type for C type {@code ctype} ({@code size_t}: uint64), or null when not an integer. */
    static String intType(String ctype) {
        String t = ctype.replaceAll("\\b(const|volatile|__user)\\b", "").replaceAll("\\s+", " ").strip();
        return switch (t) {
            case "char", "signed char", "s8", "int8_t", "__s8" -> "int8";
            case "unsigned char", "u8", "uint8_t", "__u8", "bool", "_Bool" -> "uint8";
            case "short", "short int", "signed short", "s16", "int16_t", "__s16" -> "int16";
            case "unsigned short", "unsigned short int", "u16", "uint16_t", "__u16" -> "uint16";
            case "int", "signed", "signed int", "s32", "int32_t", "__s32", "pid_t", "uid_t", "gid_t" -> "int32";
            case "unsigned", "unsigned int", "u32", "uint32_t", "__u32", "gfp_t", "umode_t", "mode_t" -> "uint32";
            case "long", "long int", "long long", "long long int", "s64", "int64_t", "__s64", "ssize_t", "loff_t", "off_t" -> "int64";
            case "unsigned long", "unsigned long int", "unsigned long long", "u64", "uint64_t", "__u64", "size_t", "uintptr_t" -> "uint64";
            default -> null;
        };
    }

    /** True when C type {@code ctype} is a string ({@code char *}). */
    static boolean isString(String ctype) {
        return ctype.replaceAll("\\b(const|__user)\\b", "").replaceAll("\\s+", "").equals("char*");
    }

    /**
     * The parameters of signature {@code sig} ({@code int fd, const char *buf}) by name, each as the expression of
     * the tracing language that reads it: {@code (int32)arg0}, {@code arg1} (a pointer), {@code ((struct file *)arg0)}.
     */
    static Map<String, String> params(String sig) {
        Map<String, String> out = new LinkedHashMap<>();
        if (sig == null || sig.isBlank()) return out;
        String[] ps = sig.split(",");
        for (int i = 0; i < ps.length; i++) {
            String p = ps[i].strip();
            int at = Math.max(p.lastIndexOf('*'), p.lastIndexOf(' '));
            if (at < 0) throw new ProbeSpec.BadSpec("a parameter needs a type and a name: " + p);
            String type = p.substring(0, at + 1).strip(), name = p.substring(at + 1).strip();
            String arg = "arg" + i, it = intType(type);
            String clean = type.replaceAll("\\b(const|volatile|__user)\\b", "").replaceAll("\\s+", " ").strip();
            if (it != null) out.put(name, "((" + it + ")" + arg + ")");
            else if (clean.startsWith("struct ") && clean.endsWith("*")) out.put(name, "((" + clean + ")" + arg + ")");
            else out.put(name, arg);
        }
        return out;
    }

    /**
     * {@code expr} in the tracing language. {@code params}: the signature's names; {@code extra}: further words
     * to replace (argdist's {@code $entry(...)} results), taken first.
     */
    static String rewrite(String expr, Map<String, String> params, Map<String, String> extra) {
        String e = STRCMP.matcher(expr).replaceAll(m -> Matcher.quoteReplacement("(str(" + m.group(2).strip() + ") == " + m.group(1) + ")"));
        StringBuilder sb = new StringBuilder();
        Matcher m = WORD.matcher(e);
        int last = 0;
        boolean inString = false;
        while (m.find()) {
            for (int i = last; i < m.start(); i++) if (e.charAt(i) == '"' && (i == 0 || e.charAt(i - 1) != '\\')) inString = !inString;
            sb.append(e, last, m.start());
            last = m.end();
            String w = m.group(), word = m.group(1) != null ? w.substring(0, w.length() - 5) : w;
            boolean member = m.start() > 0 && (e.charAt(m.start() - 1) == '.' || m.start() > 1 && e.startsWith("->", m.start() - 2));
            if (inString || member) { sb.append(w); continue; }
            String r = extra.get(word);
            if (r == null) r = params.get(word);
            if (r == null) r = alias(word);
            sb.append(r != null ? r : w);
        }
        sb.append(e.substring(last));
        return sb.toString();
    }

    private static String alias(String word) {
        if (word.matches("arg[1-6]")) return "arg" + (word.charAt(3) - '1');
        return switch (word) {
            case "retval", "$retval" -> "retval";
            case "$pid" -> "tid";          // the kernel's pid: the thread
            case "$tgid", "$PID" -> "pid"; // the process
            case "$uid" -> "uid";
            case "$gid" -> "gid";
            case "$cpu" -> "cpu";
            case "$task" -> "curtask";
            case "$COMM" -> "comm";
            default -> null;
        };
    }
}
