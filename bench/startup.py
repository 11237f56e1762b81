#!/usr/bin/env python3
"""Start-up to attached, and peak memory, for `bpf4j killsnoop` and an equivalent bpftrace one-liner.

Both run side by side in one run, alternating, N rounds each. "Attached" is the moment the tool says its probes
are attached: bpf4j killsnoop prints its header after attaching; bpftrace prints
__BPFTRACE_NOTIFY_PROBES_ATTACHED when that variable is set. Peak memory is VmHWM of the tool's process
(and, for the launcher script, of the JVM it execs into), read just before SIGTERM.
Usage: bench/startup.py [ROUNDS]   (root; Debian's bpftrace installed)
"""
import os, signal, statistics, subprocess, sys, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 10

TOOLS = {
    # (command, is-the-attached-line, where stderr goes): bpftrace prints its notice on stderr
    "bpf4j killsnoop": ([os.path.join(ROOT, "bpf4j"), "killsnoop"], lambda l: l.startswith("TIME "), subprocess.DEVNULL),
    "bpftrace": (["bpftrace", "-e",
                  'tracepoint:syscalls:sys_enter_kill { printf("%d %s %d %d\\n", pid, comm, args->sig, args->pid); }'],
                 lambda l: l.startswith("__BPFTRACE_NOTIFY_PROBES_ATTACHED"), subprocess.STDOUT),
}

def vmhwm_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0

def once(cmd, attached, stderr, wait=10):
    env = dict(os.environ, __BPFTRACE_NOTIFY_PROBES_ATTACHED="1")
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)
    try:
        for line in p.stdout:
            if attached(line):
                t = time.monotonic() - t0
                break
        else:
            raise RuntimeError(f"{cmd[0]} exited before attaching")
        # keep reading: a tool that prints a lot at exit (bpftrace's maps) would block on a full pipe
        threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
        time.sleep(0.3)
        mem = vmhwm_kb(p.pid)
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=wait)  # a tool with hundreds of probes takes a while to detach on a busy machine
        return t, mem
    finally:
        if p.poll() is None:
            p.kill()

def main():
    # warm-up: builds the jar and trains bpf4j's start-up cache (waiting for it, which the launcher otherwise does
    # in the background on a tool's first use), and warms the page cache for both tools
    subprocess.run([os.path.join(ROOT, "bpf4j"), "killsnoop", "-h"], env=dict(os.environ, BPF4J_AOT_WAIT="1"),
                   stdout=subprocess.DEVNULL, check=True)
    for name, tool in TOOLS.items():
        once(*tool)
    results = {name: [] for name in TOOLS}
    for _ in range(ROUNDS):
        for name, tool in TOOLS.items():
            results[name].append(once(*tool))
    print(f"start-up to attached and peak RSS, median of {ROUNDS} alternating runs")
    print(f"{'tool':<18} {'attach ms':>10} {'min ms':>8} {'max ms':>8} {'peak RSS MiB':>13}")
    med = {}
    for name, rs in results.items():
        ts = [t * 1000 for t, _ in rs]
        mems = [m / 1024 for _, m in rs]
        med[name] = (statistics.median(ts), statistics.median(mems))
        print(f"{name:<18} {med[name][0]:>10.0f} {min(ts):>8.0f} {max(ts):>8.0f} {med[name][1]:>13.1f}")
    a, b = med["bpf4j killsnoop"], med["bpftrace"]
    print(f"ratio bpf4j/bpftrace: start-up {a[0] / b[0]:.2f}x, peak memory {a[1] / b[1]:.2f}x")

if __name__ == "__main__":
    main()
