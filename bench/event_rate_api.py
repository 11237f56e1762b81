#!/usr/bin/env python3
"""Sustained events per second and records lost: bpf4j's perf buffer, bpf4j's ring buffer and bpftrace's printf.

Each consumer traces syscalls:sys_enter_getppid for one process, a C load generator (getppid_count.c, compiled here
with gcc) that calls getppid(2) CALLS times in a tight loop once the consumer is attached. Every call makes a record
{nsecs, pid, tid} that the consumer prints as one line "NSECS PID TID" to a pipe this script counts, as
bpftrace -e 'tracepoint:syscalls:sys_enter_getppid /pid == N/ { printf("%llu %d %d\\n", nsecs, pid, tid); }' does.
bpftrace and the first bpf4j rows use 64 pages per CPU of buffer (bpftrace's default) or as much for the ring
buffer; the others show what a wake-up threshold and a bigger ring change. Delivered rate = lines / generator run time;
lost = calls - lines. The three run side by side, alternating, ROUNDS times; medians are reported.
Usage: bench/event_rate_api.py [ROUNDS] [CALLS]   (root; gcc, a JDK 25 and Debian's bpftrace installed)
"""
import os, shutil, signal, statistics, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
CALLS = int(sys.argv[2]) if len(sys.argv) > 2 else 3_000_000


def java():
    for home in [os.environ.get("JAVA_HOME", ""), "/usr/lib/jvm/temurin-25-jdk-amd64"]:
        if home and os.path.exists(os.path.join(home, "bin", "java")):
            return os.path.join(home, "bin", "java")
    sys.exit("no JDK 25: set JAVA_HOME")


def build():
    jar = os.path.join(ROOT, "target", "bpf4j.jar")
    if not os.path.exists(jar):
        subprocess.run([os.path.join(ROOT, "bpf4j"), "--version"], check=True, stdout=subprocess.DEVNULL)
    out = os.path.join(tempfile.gettempdir(), "bpf4j-getppid-count")
    subprocess.run(["gcc", "-O2", "-o", out, os.path.join(HERE, "getppid_count.c")], check=True)
    return jar, out


class LineCounter(threading.Thread):
    """Counts newlines on a pipe in big reads, as cheaply as a consumer of the output can."""

    def __init__(self, fd):
        super().__init__(daemon=True)
        self.fd, self.lines = fd, 0

    def run(self):
        while True:
            b = os.read(self.fd, 1 << 20)
            if not b:
                return
            self.lines += b.count(b"\n")


def cpu_seconds(pid):
    """User plus system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


PAGE = os.sysconf("SC_PAGE_SIZE")
POSSIBLE_CPUS = int(open("/sys/devices/system/cpu/possible").read().strip().split("-")[-1]) + 1
# name -> EventRate.java arguments after the pid (None: bpftrace)
CONSUMERS = {
    "bpf4j perf": ["perf", "1"],                                   # wake on every record, as bpftrace does
    "bpf4j perf wake/64": ["perf", "64"],                          # wake every 64 records per CPU
    "bpf4j ringbuf": ["ringbuf", str(64 * PAGE * POSSIBLE_CPUS)],   # the same memory as 64 pages per CPU
    "bpf4j ringbuf 16M": ["ringbuf", str(16 << 20)],
    "bpftrace 16M": None,                                          # BPFTRACE_PERF_RB_PAGES: 16 MiB in all
    "bpftrace": None,
}


def consumer_env(name):
    env = dict(os.environ, __BPFTRACE_NOTIFY_PROBES_ATTACHED="1")
    if name == "bpftrace 16M":
        env["BPFTRACE_PERF_RB_PAGES"] = str((16 << 20) // PAGE // POSSIBLE_CPUS)
    return env


def consumer_cmd(name, jar, pid):
    if CONSUMERS[name] is None:
        return ["bpftrace", "-e", 'tracepoint:syscalls:sys_enter_getppid /pid == %d/ '
                '{ printf("%%llu %%d %%d\\n", nsecs, pid, tid); }' % pid]
    mode, param = CONSUMERS[name]
    return [java(), "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-cp", jar,
            os.path.join(HERE, "EventRate.java"), mode, str(pid), param]


def once(name, jar, loop):
    gen = subprocess.Popen([loop, str(CALLS)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    con = subprocess.Popen(consumer_cmd(name, jar, gen.pid), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=consumer_env(name))
    try:
        counter = LineCounter(con.stdout.fileno())
        err_lines = []
        attached = threading.Event()

        def read_err():
            for raw in con.stderr:
                l = raw.decode(errors="replace").strip()
                err_lines.append(l)
                if l == "attached":
                    attached.set()

        threading.Thread(target=read_err, daemon=True).start()
        counter.start()
        if CONSUMERS[name] is None:  # bpftrace says so on stdout: wait for its first line
            deadline = time.monotonic() + 60
            while counter.lines == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
        elif not attached.wait(60):
            raise RuntimeError(f"{name} did not attach: {err_lines}")
        time.sleep(0.2)
        base = counter.lines
        cpu0 = cpu_seconds(con.pid)
        gen.stdin.write("go\n")
        gen.stdin.flush()
        calls, elapsed = gen.stdout.readline().split()
        calls, elapsed = int(calls), float(elapsed)
        gen.wait()
        last, stable = -1, 0  # let the consumer drain what is still buffered
        while stable < 5:
            time.sleep(0.1)
            stable = stable + 1 if counter.lines == last else 0
            last = counter.lines
        delivered = counter.lines - base
        cpu = cpu_seconds(con.pid) - cpu0
        if CONSUMERS[name] is None:
            con.send_signal(signal.SIGINT)
        else:
            con.stdin.close()
        try:
            con.wait(timeout=15)
        except subprocess.TimeoutExpired:  # counted already: do not let a slow exit stall the bench
            con.kill()
            con.wait()
        counter.join(timeout=5)
        return calls / elapsed, delivered / elapsed, calls - delivered, cpu, err_lines
    finally:
        for p in (gen, con):
            if p.poll() is None:
                p.kill()


def main():
    if shutil.which("bpftrace") is None:
        sys.exit("bpftrace is not installed")
    jar, loop = build()
    names = list(CONSUMERS)
    once(names[0], jar, loop)  # warm-up: page cache, the JDK's source launcher
    results = {n: [] for n in names}
    for _ in range(ROUNDS):
        for n in names:
            results[n].append(once(n, jar, loop))
    print(f"{CALLS:,} getppid calls from a tight loop, one record per call; {ROUNDS} alternating rounds, "
          f"the round with the median delivered rate shown")
    print(f"{'consumer':<18} {'calls/s':>11} {'delivered/s':>12} {'lost':>10} {'lost %':>7} {'consumer CPU s':>15}"
          f"  {'delivered/s of every round':>28}")
    med = {}
    for n, rs in results.items():
        by_rate = sorted(rs, key=lambda r: r[1])
        gen_rate, rate, lost, cpu, _ = by_rate[len(by_rate) // 2]
        med[n] = rate
        every = " ".join(f"{r[1]:.0f}" for r in rs)
        print(f"{n:<18} {gen_rate:>11.0f} {rate:>12.0f} {lost:>10.0f} {100 * lost / CALLS:>6.2f}% "
              f"{cpu:>15.2f}  {every:>28}")
    print("rounds without a lost record: " + ", ".join(f"{n} {sum(1 for r in rs if r[2] <= 0)}/{len(rs)}"
                                                      for n, rs in results.items()))
    for n in names[:-1]:  # against bpftrace as it runs by default
        print(f"ratio {n} / bpftrace, delivered events per second: {med[n] / med['bpftrace']:.2f}x")


if __name__ == "__main__":
    main()
