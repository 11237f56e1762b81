#!/usr/bin/env python3
"""Start-up to attached for a few of bpf4j's BCC tools against bpftrace's port of the same tool, side by side.

Each pair runs alternating, N rounds each, as bench/startup.py does (whose `once` this reuses): "attached" is the
tool's header line for bpf4j (printed after its probes are attached) and __BPFTRACE_NOTIFY_PROBES_ATTACHED for
bpftrace. The bpftrace side is the port in /work/shared/bpftrace/tools: syscount.bt. The other ports of tools written here do
not compare: runqlen.bt reads cfs_rq's nr_running, which Linux 6.14 renamed, and a bpftrace one-liner over funccount's
360 syscall tracepoints took over two minutes to detach on this machine.
Usage: bench/tools_startup.py [ROUNDS]   (root; Debian's bpftrace installed)
"""
import os, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from startup import once  # noqa: E402  (one measuring loop for every start-up figure)

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
BT_TOOLS = os.environ.get("BPFTRACE_TOOLS", "/work/shared/bpftrace/tools")
BPF4J = os.path.join(ROOT, "bpf4j")
NOTIFIED = lambda l: l.startswith("__BPFTRACE_NOTIFY_PROBES_ATTACHED")

PAIRS = [
    # (label, bpf4j command, its attached line, bpftrace label, bpftrace command); add a row per port
    ("syscount", [BPF4J, "syscount"], lambda l: l.startswith("Tracing syscalls"),
     "syscount.bt (port)", ["bpftrace", os.path.join(BT_TOOLS, "syscount.bt")]),
]

def main():
    subprocess.run([BPF4J, "syscount", "-h"], env=dict(os.environ, BPF4J_AOT_WAIT="1"), stdout=subprocess.DEVNULL, check=True)
    print(f"start-up to attached, median of {ROUNDS} alternating runs (ms)")
    print(f"{'bpf4j tool':<34} {'ms':>7}   {'bpftrace':<30} {'ms':>7}  ratio")
    for label, cmd, attached, bt_label, bt_cmd in PAIRS:
        once(cmd, attached, subprocess.DEVNULL, 120)     # warm-up: page cache, bpf4j's start-up cache
        once(bt_cmd, NOTIFIED, subprocess.STDOUT, 120)
        a, b = [], []
        for _ in range(ROUNDS):
            a.append(once(cmd, attached, subprocess.DEVNULL, 120)[0] * 1000)
            b.append(once(bt_cmd, NOTIFIED, subprocess.STDOUT, 120)[0] * 1000)
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"{label:<34} {ma:>7.0f}   {bt_label:<30} {mb:>7.0f}  {ma / mb:.2f}x")

if __name__ == "__main__":
    main()
