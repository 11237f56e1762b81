package org.bpf4j.elf;

import org.bpf4j.UserException;

/**
 * A BPF object file bpf4j cannot use: malformed, or using something bpf4j does not support. The message names the
 * file and the section, symbol or instruction concerned, so the command line prints it as one line.
 */
public final class ObjectFormatException extends UserException {
    private static final long serialVersionUID = 1L;

    /** An exception whose message already names the file and the place. */
    public ObjectFormatException(String message) { super(message); }

    /** The same, keeping the cause for {@code --debug}. */
    public ObjectFormatException(String message, Throwable cause) { super(message, cause); }
}
