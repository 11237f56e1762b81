package org.bpf4j.tracefs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tracepoint's record layout, parsed from its tracefs {@code format} file: the event id and each
 * field's C type, name, offset and size. Programs attached to the tracepoint read their context at these offsets.
 */
public record EventFormat(String category, String name, int id, List<Field> fields) {
    private static final Pattern FIELD = Pattern.compile(
            "^\\s*field:(.+?);\\s*offset:(\\d+);\\s*size:(\\d+);\\s*signed:(\\d+);", Pattern.MULTILINE);
    private static final Pattern ID = Pattern.compile("^ID:\\s*(\\d+)", Pattern.MULTILINE);

    /** One field of a tracepoint record. {@code arrayLength} is 0 for a scalar; {@code dataLoc} marks {@code __data_loc} fields. */
    public record Field(String type, String name, int offset, int size, boolean signed, int arrayLength,
                        boolean dataLoc) {
        /** True for the {@code common_*} header every tracepoint record starts with. */
        public boolean common() { return name.startsWith("common_"); }
    }

    /** The field called {@code fieldName}, if the event has one. */
    public Optional<Field> field(String fieldName) {
        return fields.stream().filter(f -> f.name.equals(fieldName)).findFirst();
    }

    /** The event's own fields, without the common header. */
    public List<Field> ownFields() {
        return fields.stream().filter(f -> !f.common()).toList();
    }

    /** Parses the text of a {@code format} file. */
    public static EventFormat parse(String category, String name, String text) {
        Matcher idm = ID.matcher(text);
        if (!idm.find()) throw new IllegalArgumentException("tracepoint " + category + ":" + name + ": format has no ID line");
        List<Field> fields = new ArrayList<>();
        Matcher m = FIELD.matcher(text);
        String what = "tracepoint " + category + ":" + name + ": ";
        while (m.find()) {
            String decl = m.group(1).trim();
            if (decl.lastIndexOf(' ') < 0) throw new IllegalArgumentException(what + "field '" + decl + "' has no type and name");
            fields.add(field(decl, number(m.group(2), what + "offset of " + decl), number(m.group(3), what + "size of " + decl),
                    m.group(4).equals("1")));
        }
        return new EventFormat(category, name, number(idm.group(1), what + "ID"), List.copyOf(fields));
    }

    /** A decimal from the format; past int's range it is not a format the kernel writes. */
    private static int number(String digits, String what) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " " + digits + " is out of range");
        }
    }

    private static Field field(String decl, int offset, int size, boolean signed) {
        boolean dataLoc = decl.startsWith("__data_loc ");
        if (dataLoc) decl = decl.substring("__data_loc ".length());
        int arrayLength = 0;
        int bracket = decl.lastIndexOf('[');
        String type, fieldName;
        if (bracket >= 0 && decl.endsWith("]")) {
            String len = decl.substring(bracket + 1, decl.length() - 1).trim();
            String head = decl.substring(0, bracket).trim();
            if (!len.isEmpty()) {
                try { arrayLength = Integer.parseInt(len); } catch (NumberFormatException e) { arrayLength = 0; }
            }
            int sp = head.lastIndexOf(' ');
            if (dataLoc || sp < 0) { // "__data_loc char[] name": the brackets belong to the type
                int sp2 = decl.lastIndexOf(' ');
                if (sp2 < 0) throw new IllegalArgumentException("field '" + decl + "' has no type and name");
                type = decl.substring(0, sp2).trim();
                fieldName = decl.substring(sp2 + 1).trim();
                arrayLength = 0;
            } else {
                type = head.substring(0, sp).trim() + "[" + len + "]";
                fieldName = head.substring(sp + 1).trim();
            }
        } else {
            int sp = decl.lastIndexOf(' ');
            if (sp < 0) throw new IllegalArgumentException("field '" + decl + "' has no type and name");
            type = decl.substring(0, sp).trim();
            fieldName = decl.substring(sp + 1).trim();
        }
        while (fieldName.startsWith("*")) { type = type + "*"; fieldName = fieldName.substring(1); }
        return new Field(type, fieldName, offset, size, signed, arrayLength, dataLoc);
    }
}
