package org.bpf4j;

/**
 * A problem with what the user asked for (an unknown tracepoint, a bad option, missing privileges):
 * the command line prints its message as one line, without a stack trace.
 */
public class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message is shown to the user as it is. */
    public UserException(String message) { super(message); }

    /** Creates an exception whose message is shown to the user, keeping the cause for {@code --debug}. */
    public UserException(String message, Throwable cause) { super(message, cause); }
}
