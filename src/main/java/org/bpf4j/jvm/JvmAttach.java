package org.bpf4j.jvm;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * A connection to a running HotSpot JVM through the JDK's own attach API (the runtime bpf4j runs on; no agent is
 * loaded into the target): its flags, system properties and diagnostic commands ({@code jcmd}'s, without forking
 * jcmd). A JVM in its own pid and mount namespaces is reached by its pid here; the JDK finds its socket under
 * {@code /proc/PID/root}. Needs {@code --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED} for the commands
 * (the {@code bpf4j} launcher passes it to the commands that attach).
 */
public final class JvmAttach implements AutoCloseable {
    private final int pid;
    private final VirtualMachine vm;

    private JvmAttach(int pid, VirtualMachine vm) {
        this.pid = pid;
        this.vm = vm;
    }

    /** Attaches to process {@code pid}; throws {@link JvmException} when it is gone or is not a JVM. */
    public static JvmAttach attach(int pid) {
        if (!Files.isDirectory(Path.of("/proc", Integer.toString(pid)))) {
            throw new JvmException(JvmException.Reason.NO_SUCH_PROCESS, pid, "no such process: " + pid, null);
        }
        try {
            return new JvmAttach(pid, VirtualMachine.attach(Integer.toString(pid)));
        } catch (AttachNotSupportedException | IOException e) {
            throw new JvmException(JvmException.Reason.NOT_A_JVM, pid,
                    "process " + pid + " is not a JVM that accepts attach (" + e.getMessage() + ")", e);
        }
    }

    /** The target's pid, as given to {@link #attach}. */
    public int pid() { return pid; }

    /** The target's system properties ({@code java.home}, {@code java.version}, ...). */
    public Properties systemProperties() {
        try {
            return vm.getSystemProperties();
        } catch (IOException e) {
            throw failed("reading system properties", e);
        }
    }

    /**
     * One of the target's -XX flags as it is set now: {@code Optional.of("true")} for a boolean that is on,
     * the value otherwise; empty when this JVM has no such flag.
     */
    public Optional<String> flag(String name) {
        String text;
        try {
            text = invoke("printFlag", name).strip();
        } catch (JvmException e) {
            if (e.reason() == JvmException.Reason.COMMAND_FAILED) return Optional.empty();
            throw e;
        }
        // "-XX:+Name", "-XX:-Name" or "-XX:Name=value"
        if (text.startsWith("-XX:+" + name)) return Optional.of("true");
        if (text.startsWith("-XX:-" + name)) return Optional.of("false");
        String prefix = "-XX:" + name + "=";
        if (text.startsWith(prefix)) return Optional.of(text.substring(prefix.length()));
        return Optional.empty();
    }

    /** Whether boolean flag {@code name} is on in the target (false when it is off or unknown). */
    public boolean flagOn(String name) {
        return flag(name).map("true"::equals).orElse(false);
    }

    /** Runs diagnostic command {@code command} ({@code "Compiler.perfmap"}, {@code "VM.version"}) and returns its output. */
    public String jcmd(String command) {
        return invoke("executeJCmd", command);
    }

    private String invoke(String method, String argument) {
        Method m;
        try {
            m = vm.getClass().getMethod(method, String.class);
        } catch (NoSuchMethodException e) {
            throw new JvmException(JvmException.Reason.ATTACH_UNAVAILABLE, pid,
                    "this JDK's attach provider has no " + method, e);
        }
        try (InputStream in = (InputStream) m.invoke(vm, argument)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IllegalAccessException e) {
            throw new JvmException(JvmException.Reason.ATTACH_UNAVAILABLE, pid,
                    "the JDK's attach commands are not exported to bpf4j: run it with "
                            + "--add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED", e);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause != null && cause.getClass().getSimpleName().equals("AttachOperationFailedException")) {
                throw new JvmException(JvmException.Reason.COMMAND_FAILED, pid,
                        "JVM " + pid + " refused " + argument + ": " + cause.getMessage(), cause);
            }
            throw failed(argument, cause == null ? e : cause);
        } catch (IOException e) {
            throw failed(argument, e);
        }
    }

    private JvmException failed(String what, Throwable e) {
        return new JvmException(JvmException.Reason.NOT_A_JVM, pid,
                "JVM " + pid + " stopped answering (" + what + "): " + e.getMessage(), e);
    }

    /** Detaches; the target keeps running untouched. */
    @Override
    public void close() {
        try {
            vm.detach();
        } catch (IOException ignored) {
            // the target exited: nothing to detach from
        }
    }
}
