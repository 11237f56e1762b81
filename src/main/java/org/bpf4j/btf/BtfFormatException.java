package org.bpf4j.btf;

import org.bpf4j.UserException;

/** BTF data that does not follow the format: names the source and the byte offset or type id where it breaks. */
public final class BtfFormatException extends UserException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message says where the data is wrong. */
    public BtfFormatException(String message) { super(message); }
}
