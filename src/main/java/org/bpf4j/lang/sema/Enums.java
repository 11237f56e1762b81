package org.bpf4j.lang.sema;

import org.bpf4j.lang.syntax.CEnum;
import org.bpf4j.lang.syntax.Source;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The enums a script defines: their types ({@code enum Foo}, 64-bit unsigned integers carrying their enumerators'
 * names for the runtime to print) and their enumerators, which name constants of those types.
 */
final class Enums {
    /** An enumerator: its value and the enum type it has. */
    record Constant(long value, Type.Int type) {}

    private final Map<String, Type.Int> types = new HashMap<>();
    private final Map<String, Constant> enumerators = new HashMap<>();

    Enums(Source source, List<CEnum> enums) {
        for (CEnum e : enums) {
            if (!e.name().isEmpty() && types.containsKey(e.fullName()))
                throw new SemanticError(source, e.span(), e.fullName() + " is defined twice");
            Map<Long, String> names = new LinkedHashMap<>();
            for (CEnum.Enumerator v : e.enumerators()) names.putIfAbsent(v.value(), v.name());
            Type.Int t = of(e.fullName(), names, 8, false);
            if (!e.name().isEmpty()) types.put(e.fullName(), t);
            for (CEnum.Enumerator v : e.enumerators())
                if (enumerators.put(v.name(), new Constant(v.value(), t)) != null)
                    throw new SemanticError(source, v.span(), "enumerator " + v.name() + " is defined twice");
        }
    }

    /** The script's {@code enum NAME} ({@code fullName} with the keyword), or null. */
    Type.Int type(String fullName) { return types.get(fullName); }

    /** The script's enumerator {@code name}, or null. */
    Constant enumerator(String name) { return enumerators.get(name); }

    /** An integer type of {@code size} bytes whose values print as {@code names} name them. */
    static Type.Int of(String fullName, Map<Long, String> names, int size, boolean signed) {
        return new Type.Int(size, signed, false, new Type.Enumeration(fullName, names));
    }
}
