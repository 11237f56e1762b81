#!/usr/bin/env python3
"""Every event delivered? The command a user runs, `bpf4j trace`, against `bpftrace` on the same script and load.

The load is a C program named "gen" (getppid_count.c, compiled here) that calls getppid(2) CALLS times as fast as
it can once the tracer is attached. Both tracers run
    tracepoint:syscalls:sys_enter_getppid /comm == "gen"/ { printf("%d %d %s\\n", pid, tid, comm); }
with standard output to a file and to a pipe (read here in big reads, as cheaply as a consumer can), alternating,
ROUNDS times each. Delivered = lines printed; lost = what the tracer reported in "Lost N events" lines; delivered rate
= delivered / the generator's own run time (a tracer that slows the traced program down shows it here).
Usage: bench/event_rate.py [ROUNDS] [CALLS]   (root; gcc and Debian's bpftrace installed)
Java-API consumers written for the bench (not the user's path): bench/event_rate_api.py.
"""
import os, re, shutil, signal, statistics, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
CALLS = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
SCRIPT = 'tracepoint:syscalls:sys_enter_getppid /comm == "gen"/ { printf("%d %d %s\\n", pid, tid, comm); }'
LOST = re.compile(rb"^Lost (\d+) events$", re.M)
BPF4J = [os.path.join(ROOT, "bpf4j"), "trace"]
# name -> (command, extra environment); the rows after the first two show what the defaults were chosen against
TRACERS = {
    "bpf4j trace": (BPF4J, {}),
    "bpftrace": (["bpftrace"], {}),
    "bpf4j 64 pages": (BPF4J, {"BPFTRACE_PERF_RB_PAGES": "64"}),        # a ring of 64 pages per CPU, bpftrace's memory
    "bpf4j perf": (BPF4J, {"BPF4J_EVENT_CHANNEL": "perf"}),            # the perf buffer, 64 pages per CPU
}


def build(work):
    subprocess.run([os.path.join(ROOT, "bpf4j"), "trace", "--version"], check=True, stdout=subprocess.DEVNULL)
    gen = os.path.join(work, "gen")
    subprocess.run(["gcc", "-O2", "-o", gen, os.path.join(HERE, "getppid_count.c")], check=True)
    return gen


class Reader(threading.Thread):
    """Reads a pipe to its end: counts the event lines and keeps the Lost lines."""

    def __init__(self, fd, attached):
        super().__init__(daemon=True)
        self.fd, self.events, self.size, self.tail, self.lost = fd, 0, 0, b"", 0
        self.attached = attached  # set when bpftrace 0.26's (and bpf4j's) notification comes on stdout

    def run(self):
        while True:
            b = os.read(self.fd, 1 << 20)
            if not b:
                break
            self.size += len(b)
            text = self.tail + b
            if b"__BPFTRACE_NOTIFY_PROBES_ATTACHED" in text:
                self.attached.set()
            cut = text.rfind(b"\n") + 1
            self.events += count(text[:cut])
            self.lost += lost(text[:cut])
            self.tail = text[cut:]


def count(text):
    """Event lines: "PID TID gen"."""
    return text.count(b" gen\n")


def lost(text):
    return sum(int(m.group(1)) for m in LOST.finditer(text)) if b"Lost" in text else 0


def count_file(path):
    with open(path, "rb") as f:
        text = f.read()
    return count(text), lost(text)


def once(tracer, mode, gen, work):
    cmd, extra = TRACERS[tracer]
    env = dict(os.environ, __BPFTRACE_NOTIFY_PROBES_ATTACHED="1", **extra)
    out_path = os.path.join(work, "out.txt")
    stdout = open(out_path, "wb") if mode == "file" else subprocess.PIPE
    t = subprocess.Popen(cmd + ["-e", SCRIPT], stdout=stdout, stderr=subprocess.PIPE, env=env)
    reader = None
    attached = threading.Event()
    if mode == "pipe":
        reader = Reader(t.stdout.fileno(), attached)
        reader.start()
    errors = []

    def watch_file():  # the notification on stdout (bpftrace 0.26, bpf4j) when that is the file
        while not attached.is_set() and t.poll() is None:
            with open(out_path, "rb") as f:
                if b"__BPFTRACE_NOTIFY_PROBES_ATTACHED" in f.read(1 << 16):
                    attached.set()
            time.sleep(0.05)

    if mode == "file":
        threading.Thread(target=watch_file, daemon=True).start()

    def read_err():
        for raw in t.stderr:
            line = raw.decode(errors="replace").rstrip("\n")
            if "__BPFTRACE_NOTIFY_PROBES_ATTACHED" in line:
                attached.set()
            else:
                errors.append(line)

    threading.Thread(target=read_err, daemon=True).start()
    try:
        if not attached.wait(60):
            raise RuntimeError(f"{tracer} did not attach: {errors}")
        g = subprocess.Popen([gen, str(CALLS)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        calls, elapsed = g.communicate("go\n")[0].split()
        calls, elapsed = int(calls), float(elapsed)
        # let the tracer print what it still holds: until its output stops growing for a second
        last, stable = -1, 0
        while stable < 10:
            time.sleep(0.1)
            now = reader.size if reader else os.path.getsize(out_path)
            stable = stable + 1 if now == last else 0
            last = now
        t.send_signal(signal.SIGINT)
        try:
            t.wait(timeout=30)
        except subprocess.TimeoutExpired:
            t.kill()
            t.wait()
        if reader:
            reader.join(timeout=10)
            delivered, lost_events = reader.events, reader.lost
        else:
            stdout.close()
            delivered, lost_events = count_file(out_path)
        return calls, elapsed, delivered, lost_events
    finally:
        if t.poll() is None:
            t.kill()
        if mode == "file" and not stdout.closed:
            stdout.close()


def main():
    if shutil.which("bpftrace") is None:
        sys.exit("bpftrace is not installed (apt-get install bpftrace)")
    work = tempfile.mkdtemp(prefix="bpf4j-event-rate-")
    try:
        gen = build(work)
        runs = [(tr, mode) for mode in ("file", "pipe") for tr in TRACERS]
        once("bpf4j trace", "pipe", gen, work)  # warm-up: page cache, the launcher's class cache
        results = {r: [] for r in runs}
        for _ in range(ROUNDS):
            for r in runs:
                results[r].append(once(*r, gen, work))
        print(f"{CALLS:,} getppid calls from one tight loop, one printf each; {ROUNDS} alternating rounds; "
              f"the round with the median delivered rate shown")
        print(f"{'tracer':<15} {'stdout':<6} {'gen calls/s':>12} {'delivered':>10} {'share':>8} {'reported lost':>14} "
              f"{'delivered/s':>12}  every round's delivered share")
        med = {}
        for (tr, mode), rs in results.items():
            by_rate = sorted(rs, key=lambda r: r[2] / r[1])
            calls, elapsed, delivered, lost = by_rate[len(by_rate) // 2]
            med[(tr, mode)] = delivered / elapsed
            every = " ".join(f"{100 * r[2] / r[0]:.1f}%" for r in rs)
            print(f"{tr:<15} {mode:<6} {calls / elapsed:>12,.0f} {delivered:>10,} {100 * delivered / calls:>7.1f}% "
                  f"{lost:>14,} {delivered / elapsed:>12,.0f}  {every}")
            unaccounted = [r[0] - r[2] - r[3] for r in rs]
            if any(u != 0 for u in unaccounted):
                print(f"  {tr} {mode}: events neither printed nor reported lost, per round: {unaccounted}")
        for mode in ("file", "pipe"):
            print(f"ratio bpf4j trace / bpftrace, delivered events per second, stdout to a {mode}: "
                  f"{med[('bpf4j trace', mode)] / med[('bpftrace', mode)]:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
