package org.bpf4j;

/**
 * The running kernel lacks a feature a caller asked for; the message names the feature and why,
 * e.g. {@code "kprobes: kernel built without CONFIG_KPROBES"}.
 */
public class NotSupportedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String feature;

    /** Creates an exception for {@code feature} with the reason it is missing. */
    public NotSupportedException(String feature, String reason) {
        super(feature + ": " + reason);
        this.feature = feature;
    }

    /** The missing feature, e.g. {@code "kprobes"}. */
    public String feature() { return feature; }
}
