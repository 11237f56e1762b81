#!/usr/bin/env python3
"""The cost of profiling a Java program: its throughput under bpf4j profile at 49 and 999 Hz, against no profiling
and against JFR's default recording (whose method sampling is on), in one run, alternating.

The program is the profile tests' (src/test/resources/stacks/HotChain.java: a four-method chain, inlining off for
it), run with -XX:+PreserveFramePointer (and once without, the flag's own cost) on G1. Each round starts it, waits
until the chain is compiled ("warm"), starts the profiler when there is one and waits until it samples (its header),
then counts chain calls over a WINDOW-second window through the program's "mark" command.
Usage: bench/profile.py [ROUNDS] [WINDOW]   (root)
"""
import os, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
WINDOW = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
JAVA_HOME = os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64")
JAVA = os.path.join(JAVA_HOME, "bin", "java")

CONFIGS = {  # name: (frame pointers, JFR, profile Hz)
    "no profiler, no PreserveFramePointer": (False, False, 0),
    "no profiler": (True, False, 0),
    "JFR default recording": (True, True, 0),
    "bpf4j profile -F 49": (True, False, 49),
    "bpf4j profile -F 999": (True, False, 999),
}

def compile_program(out):
    src = os.path.join(ROOT, "src", "test", "resources", "stacks", "HotChain.java")
    subprocess.run([os.path.join(JAVA_HOME, "bin", "javac"), "-d", out, src], check=True)

def once(classes, fp, jfr, hz, jfr_file):
    cmd = [JAVA, "-XX:+UseG1GC", "-XX:CompileCommand=quiet", "-XX:CompileCommand=dontinline,HotChain::*",
           "-XX:%sPreserveFramePointer" % ("+" if fp else "-")]
    if jfr:
        cmd.append("-XX:StartFlightRecording:filename=%s,settings=default" % jfr_file)
    cmd += ["-Xlog:disable", "-cp", classes, "HotChain"]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    prof = None
    try:
        for line in p.stdout:
            if line.strip() == "warm":
                break
        if hz:
            prof = subprocess.Popen([os.path.join(ROOT, "bpf4j"), "profile", "-p", str(p.pid), "-F", str(hz)],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            for line in prof.stdout:
                if line.startswith("Sampling at"):
                    break
            time.sleep(0.5)  # its code map taken
        def mark():
            p.stdin.write("mark\n"); p.stdin.flush()
            for line in p.stdout:
                if line.startswith("mark "):
                    _, calls, ns = line.split()
                    return int(calls), int(ns)
        c0, t0 = mark()
        time.sleep(WINDOW)
        c1, t1 = mark()
        return (c1 - c0) / ((t1 - t0) / 1e9)
    finally:
        if prof:
            prof.terminate(); prof.communicate(timeout=120)
        p.stdin.close(); p.wait(timeout=60)
        if os.path.exists(jfr_file):
            os.remove(jfr_file)

def main():
    subprocess.run([os.path.join(ROOT, "bpf4j"), "profile", "-h"], stdout=subprocess.DEVNULL, check=True)  # built
    with tempfile.TemporaryDirectory() as d:
        compile_program(d)
        rates = {name: [] for name in CONFIGS}
        for r in range(ROUNDS):
            for name, (fp, jfr, hz) in CONFIGS.items():
                rates[name].append(once(d, fp, jfr, hz, os.path.join(d, "rec.jfr")))
                print("round %d %-40s %12.0f calls/s" % (r + 1, name, rates[name][-1]), flush=True)
        base = statistics.median(rates["no profiler"])
        print("\n| configuration | chain calls/s (median of %d) | vs no profiler |" % ROUNDS)
        print("|---|---|---|")
        for name, v in rates.items():
            m = statistics.median(v)
            print("| %s | %.0f | %.3fx |" % (name, m, m / base))

if __name__ == "__main__":
    main()
