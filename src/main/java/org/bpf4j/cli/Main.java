package org.bpf4j.cli;

/** Entry point of the {@code bpf4j} command line. */
public final class Main {
    private Main() {}

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.out.println("bpf4j");
    }
}
