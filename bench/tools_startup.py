#!/usr/bin/env python3
"""Start-up to attached for a few of bpf4j's BCC tools against bpftrace's port of the same tool, side by side.

Each pair runs alternating, N rounds each, as bench/startup.py does (whose `once` this reuses): "attached" is the
tool's header line for bpf4j (printed after its probes are attached) and __BPFTRACE_NOTIFY_PROBES_ATTACHED for
bpftrace. The bpftrace side is the port in ../shared/bpftrace/tools (bpftrace 0.17's tools/): syscount.bt, and the
tracepoint-based ports of tools written here: opensnoop.bt, execsnoop.bt, statsnoop.bt, killsnoop.bt. Peak
memory is each process's VmHWM once attached (for bpf4j the JVM; for bpftrace itself). The other ports of tools written here
do not compare: runqlat.bt includes <linux/sched.h> (no kernel headers here), runqlen.bt reads cfs_rq's nr_running, which
Linux 6.14 renamed, bitesize.bt did not end within 120 s of SIGTERM in the one run tried (load average 14), tcpdrop.bt and the ssl*.bt ports use kprobes or headers, and a bpftrace one-liner over funccount's 360
syscall tracepoints took over two minutes to detach on this machine.
Usage: bench/tools_startup.py [ROUNDS] [TOOL...]   (root; Debian's bpftrace installed)
"""
import os, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from startup import once  # noqa: E402  (one measuring loop for every start-up figure)

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
ONLY = set(sys.argv[2:])
BT_TOOLS = os.environ.get("BPFTRACE_TOOLS", os.path.join(ROOT, "..", "shared", "bpftrace", "tools"))
BPF4J = os.path.join(ROOT, "bpf4j")
NOTIFIED = lambda l: l.startswith("__BPFTRACE_NOTIFY_PROBES_ATTACHED")

PAIRS = [
    # (label, bpf4j command, its attached line, bpftrace label, bpftrace command); add a row per port
    ("syscount", [BPF4J, "syscount"], lambda l: l.startswith("Tracing syscalls"),
     "syscount.bt (port)", ["bpftrace", os.path.join(BT_TOOLS, "syscount.bt")]),
    ("opensnoop", [BPF4J, "opensnoop"], lambda l: l.startswith("PID"),
     "opensnoop.bt (port)", ["bpftrace", os.path.join(BT_TOOLS, "opensnoop.bt")]),
    ("execsnoop", [BPF4J, "execsnoop"], lambda l: l.startswith("PCOMM"),
     "execsnoop.bt (port)", ["bpftrace", os.path.join(BT_TOOLS, "execsnoop.bt")]),
    ("statsnoop", [BPF4J, "statsnoop"], lambda l: l.startswith("PID"),
     "statsnoop.bt (port)", ["bpftrace", os.path.join(BT_TOOLS, "statsnoop.bt")]),
    ("killsnoop", [BPF4J, "killsnoop"], lambda l: l.startswith("TIME") or l.startswith("PID"),
     "killsnoop.bt (port)", ["bpftrace", os.path.join(BT_TOOLS, "killsnoop.bt")]),
]

def main():
    subprocess.run([BPF4J, "syscount", "-h"], env=dict(os.environ, BPF4J_AOT_WAIT="1"), stdout=subprocess.DEVNULL, check=True)
    print(f"start-up to attached and peak RSS (VmHWM), median of {ROUNDS} alternating runs; load average before: "
          + " ".join(open("/proc/loadavg").read().split(" ", 3)[:3]))
    print(f"{'bpf4j tool':<12} {'ms':>7} {'MiB':>6}   {'bpftrace':<22} {'ms':>7} {'MiB':>6}  {'time':>6} {'memory':>7}")
    for label, cmd, attached, bt_label, bt_cmd in PAIRS:
        if ONLY and label not in ONLY:
            continue
        once(cmd, attached, subprocess.DEVNULL, 120)     # warm-up: page cache, bpf4j's start-up cache
        once(bt_cmd, NOTIFIED, subprocess.STDOUT, 120)
        a, b = [], []
        for _ in range(ROUNDS):
            a.append(once(cmd, attached, subprocess.DEVNULL, 120))
            b.append(once(bt_cmd, NOTIFIED, subprocess.STDOUT, 120))
        ta, tb = (statistics.median(t * 1000 for t, _ in r) for r in (a, b))
        ma, mb = (statistics.median(m / 1024 for _, m in r) for r in (a, b))
        print(f"{label:<12} {ta:>7.0f} {ma:>6.1f}   {bt_label:<22} {tb:>7.0f} {mb:>6.1f}  {ta / tb:>5.2f}x {ma / mb:>6.2f}x",
              flush=True)
    print("load average after: " + " ".join(open("/proc/loadavg").read().split(" ", 3)[:3]))

if __name__ == "__main__":
    main()
