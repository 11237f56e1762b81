package org.bpf4j.lang.runtime;

import org.bpf4j.sys.Native;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Names this process after the command that runs it rather than "java": the name ps and pkill show (the thread
 * group leader's comm) and the {@code comm} BEGIN and END probes see (the calling thread's).
 */
public final class ProcessName {
    private ProcessName() {}

    /** Sets both names to {@code name} (cut to the kernel's 15 characters); failures are ignored. */
    public static void set(String name) {
        String n = name.length() > 15 ? name.substring(0, 15) : name;
        write(Path.of("/proc/self/task", String.valueOf(Native.getpid()), "comm"), n);
        write(Path.of("/proc/thread-self/comm"), n);
    }

    private static void write(Path p, String n) {
        try {
            Files.writeString(p, n);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not Linux, or not allowed: keep the old name
        }
    }
}
