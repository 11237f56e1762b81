package org.bpf4j.prog;

import org.bpf4j.BpfException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A verifier rejected a program: carries the verifier's whole log and the index of the instruction it
 * failed on (-1 when the log names none). The message is the program name, the index and the log's last line.
 */
public class VerifierException extends BpfException {
    private static final long serialVersionUID = 1L;
    private static final Pattern INSN_LINE = Pattern.compile("^(\\d+): \\(", Pattern.MULTILINE);
    private final String log;
    private final int instruction;
    private final String reason;

    /** Creates the exception for {@code program} from the kernel's errno and log. */
    public VerifierException(String program, int errno, String log) {
        super("BPF_PROG_LOAD", errno, summary(program, log));
        this.log = log;
        this.instruction = failingInstruction(log);
        this.reason = reason(log);
    }

    /**
     * A rejection by bpf4j's userspace verifier (errno EACCES, as the kernel's): the message names the program,
     * the instruction index and text, and the reason.
     */
    public VerifierException(String program, int instruction, String instructionText, String reason, String log) {
        super("verifier rejected program '" + program + "' at instruction " + instruction
                + (instructionText == null ? "" : " (" + instructionText + ")") + ": " + reason, "verifier", org.bpf4j.sys.Errno.EACCES);
        this.log = log;
        this.instruction = instruction;
        this.reason = reason;
    }

    private static String summary(String program, String log) {
        int insn = failingInstruction(log);
        return "verifier rejected program '" + program + "'" + (insn >= 0 ? " at instruction " + insn : "")
                + (reason(log).isEmpty() ? "" : ": " + reason(log));
    }

    /** The index of the last instruction the log shows the verifier at, or -1. */
    static int failingInstruction(String log) {
        Matcher m = INSN_LINE.matcher(log);
        int last = -1;
        while (m.find()) last = Integer.parseInt(m.group(1));
        return last;
    }

    /** The verifier's reason: the last log line before its statistics ("processed N insns ..."). */
    static String reason(String log) {
        String[] lines = log.strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = lines[i].strip();
            if (l.isEmpty() || l.startsWith("processed ") || l.startsWith("verification time")
                    || l.startsWith("old state:") || l.startsWith("cur state:")
                    || l.startsWith("stack depth") || l.startsWith("-- END PROG LOAD LOG --")) continue;
            return l;
        }
        return "";
    }

    /** The verifier's whole log. */
    public String log() { return log; }

    /** The instruction the verifier failed on, or -1 when the log names none. */
    public int instruction() { return instruction; }

    /** The verifier's one-line reason. */
    public String reason() { return reason; }
}
