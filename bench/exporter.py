#!/usr/bin/env python3
"""bpf4j exporter: scrape latency, CPU and memory per 1,000 series, and the overhead of runqlat on a busy machine.

1. Series: an exporter serves a script whose BEGIN fills @series[0..N-1] = count() (plus a 16-bucket hist per key
   for the histogram case); 30 scrapes of /metrics in each format after 20 warm-ups; reports the median and p90
   scrape time, the exporter's CPU time per scrape (utime+stime from /proc/PID/stat over the 30), and its resident
   memory (VmRSS) after them, by series count.
2. Overhead: a busy machine (twice as many processes as CPUs, each calling sched_yield in a loop; 3 x 5 s) without and with
   an exporter running docs/exporter/runqlat.bt and scraped every second; reports yields per second and the
   exporter's CPU use over the run; and the same with bpftrace running the script, when it is installed.
3. Soak (--soak SECONDS): runqlat and 1,000 ever-changing keys (an interval probe counts into @k[nsecs % 1000]
   and the hist of runqlat grows), scraped 5 times a second for SECONDS; the exporter's RSS every 10 s, to see
   that memory stays flat.
Usage: bench/exporter.py [--overhead | --soak SECONDS] [SERIES...]   (root; default 1000 4000)
"""
import os, re, statistics, subprocess, sys, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ONLY_OVERHEAD = "--overhead" in sys.argv
SOAK = int(sys.argv[sys.argv.index("--soak") + 1]) if "--soak" in sys.argv else 0
SERIES = [int(a) for a in sys.argv[1:] if a.isdigit() and not (SOAK and a == str(SOAK))] or [1000, 4000]
TICK = os.sysconf("SC_CLK_TCK")

def start(scripts):
    err = tempfile.NamedTemporaryFile("w+", suffix=".err", delete=False)
    cmd = [os.path.join(ROOT, "bpf4j"), "exporter", "--listen", "127.0.0.1:0", "--max-series", "100000"]
    for s in scripts:
        cmd += ["--script", s]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    for _ in range(600):
        time.sleep(0.1)
        m = re.search(r"serving http://127\.0\.0\.1:(\d+)/metrics", open(err.name).read())
        if m:
            return p, "http://127.0.0.1:%s/metrics" % m.group(1), err.name
        if p.poll() is not None:
            break
    raise SystemExit("exporter did not start: " + open(err.name).read())

def jvm_pid(p):
    # the launcher execs the JVM: same pid
    return p.pid

def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK

def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0

def scrape(url, accept):
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    t = time.monotonic()
    with urllib.request.urlopen(req) as r:
        body = r.read()
    return time.monotonic() - t, body

def stop(p, err):
    p.terminate()
    rc = p.wait(30)
    os.unlink(err)
    if rc != 0:
        raise SystemExit("exporter exited %d" % rc)

def series_bench(n, hist):
    script = tempfile.NamedTemporaryFile("w", suffix=".bt", delete=False)
    # hist: keys * buckets entries must fit bpftrace's 4096 per map: a tenth of the keys, at most 250
    body = "@series[$i] = count();" + (" if ($i < %d) { @lat[$i] = hist($i * 1000); }" % min(n // 10, 250) if hist else "")
    script.write("BEGIN { $i = 0; while ($i < %d) { %s $i++; } }\n" % (n, body))
    script.close()
    p, url, err = start([script.name])
    try:
        for accept in (None, "application/openmetrics-text;version=1.0.0"):
            for _ in range(20):   # warm-up: the JIT compiles the formatting path
                scrape(url, accept)
            pid = jvm_pid(p)
            c0 = cpu_seconds(pid)
            times = []
            size = 0
            for _ in range(30):
                t, b = scrape(url, accept)
                times.append(t)
                size = len(b)
            cpu = (cpu_seconds(pid) - c0) / 30
            samples = sum(1 for l in b.split(b"\n") if l and not l.startswith(b"#"))
            if samples < n:
                raise SystemExit("the script did not load: %d samples" % samples)
            times.sort()
            kind = "counter+hist" if hist else "counter"
            fmt = "openmetrics" if accept else "text 0.0.4"
            k = samples / 1000
            print(f"{n:>5} keys {kind:<12} {fmt:<11} {samples:>6} samples  scrape median {statistics.median(times)*1000:6.1f} ms "
                  f"({statistics.median(times)*1000/k:5.1f} per 1k)  p90 {times[int(len(times)*0.9)]*1000:6.1f} ms  "
                  f"CPU/scrape {cpu*1000:6.1f} ms ({cpu*1000/k:5.1f} per 1k)  RSS {rss_mib(pid):6.1f} MiB  body {size/1024:5.0f} KiB", flush=True)
    finally:
        stop(p, err)
        os.unlink(script.name)

BUSY = r"""
import os, sys, time
# twice as many runnable processes as CPUs, each yielding in a loop: the CPUs never idle, and every yield is a
# context switch (sched_switch) between runnable tasks, a wakeup-free worst case for runqlat's probes
procs = 2 * os.cpu_count(); seconds = float(sys.argv[1]); r, w = os.pipe()
for _ in range(procs):
    if os.fork() == 0:
        os.close(r); n = 0; end = time.monotonic() + seconds
        while time.monotonic() < end:
            os.sched_yield(); n += 1
        os.write(w, (str(n) + " ").encode()); os._exit(0)
os.close(w)
for _ in range(procs): os.wait()
print(sum(int(x) for x in os.read(r, 1 << 16).split()) / seconds)
"""

def busy(seconds):
    out = subprocess.run([sys.executable, "-c", BUSY, str(seconds)], capture_output=True, text=True, check=True)
    return float(out.stdout)

def overhead(seconds=5, rounds=3):
    without, traced, cpus, count = [], [], [], 0
    for _ in range(rounds):   # alternating, so that the other load on the machine falls on both sides
        without.append(busy(seconds))
        p, url, err = start([os.path.join(ROOT, "docs", "exporter", "runqlat.bt")])
        try:
            pid = jvm_pid(p)
            c0 = cpu_seconds(pid)
            t0 = time.monotonic()
            scraper = subprocess.Popen([sys.executable, "-c",
                "import time, urllib.request, sys\nwhile True:\n  urllib.request.urlopen(sys.argv[1]).read(); time.sleep(1)", url])
            time.sleep(5)   # steady state: the JVM's start-up and JIT compilation are not what a service costs
            c0 = cpu_seconds(pid)
            t0 = time.monotonic()
            try:
                traced.append(busy(seconds))
            finally:
                scraper.terminate()
                scraper.wait()
            cpus.append((cpu_seconds(pid) - c0) / (time.monotonic() - t0))
            _, body = scrape(url, None)
            count += sum(float(m) for m in re.findall(rb"runq_latency_seconds_count\{[^}]*\} (\S+)", body))
        finally:
            stop(p, err)
    peer = []
    if subprocess.run(["sh", "-c", "command -v bpftrace"], capture_output=True).returncode == 0:
        # the peer on the same script (the directives are comments to it), in bpftrace 0.17's spelling (args->f)
        script = tempfile.NamedTemporaryFile("w", suffix=".bt", delete=False)
        with open(os.path.join(ROOT, "docs", "exporter", "runqlat.bt")) as f:
            script.write(f.read().replace("args.", "args->"))
        script.close()
        for _ in range(rounds):
            bt = subprocess.Popen(["bpftrace", script.name],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  env=dict(os.environ, __BPFTRACE_NOTIFY_PROBES_ATTACHED="1"))
            attached = False
            for line in bt.stderr:
                if "NOTIFY_PROBES_ATTACHED" in line:
                    attached = True
                    break
            if not attached:   # a peer that did not run must not pass for one that costs nothing
                raise SystemExit("bpftrace did not attach runqlat: " + bt.stderr.read())
            peer.append(busy(seconds))
            bt.terminate()
            bt.wait()
        os.unlink(script.name)
    base, with_ = statistics.median(without), statistics.median(traced)
    print(f"runqlat: {2 * os.cpu_count()} processes yielding on {os.cpu_count()} CPUs, median of {rounds} alternating {seconds} s rounds: {base:,.0f} yields/s without, "
          f"{with_:,.0f} with the exporter ({(1 - with_ / base) * 100:+.1f}% slower; rounds without {[round(x) for x in without]}, "
          f"with {[round(x) for x in traced]}); exporter CPU {statistics.median(cpus) * 100:.1f}% of one core (its Java side, "
          f"scraped every second; the probes' time is in the workload's); {count:,.0f} run queue latencies recorded")
    if peer:
        print(f"runqlat under bpftrace (the same script, no sum maps, no scrapes): {statistics.median(peer):,.0f} yields/s "
              f"({(1 - statistics.median(peer) / base) * 100:+.1f}% slower; rounds {[round(x) for x in peer]})")

def soak(seconds):
    script = tempfile.NamedTemporaryFile("w", suffix=".bt", delete=False)
    script.write("profile:hz:997 { @k[nsecs % 1000] = count(); @lat = hist(nsecs % 100000); }\n")
    script.close()
    p, url, err = start([script.name, os.path.join(ROOT, "docs", "exporter", "runqlat.bt")])
    try:
        pid = jvm_pid(p)
        rss, scrapes, t0 = [], 0, time.monotonic()
        next_sample = t0
        while time.monotonic() - t0 < seconds:
            scrape(url, "application/openmetrics-text;version=1.0.0")
            scrapes += 1
            if time.monotonic() >= next_sample:
                rss.append(rss_mib(pid))
                next_sample += 10
            time.sleep(0.2)
        rss.append(rss_mib(pid))
        print(f"soak {seconds} s, {scrapes} scrapes: RSS every 10 s (MiB) {[round(x) for x in rss]}; "
              f"first {rss[0]:.0f}, last {rss[-1]:.0f}, max {max(rss):.0f}; exporter CPU "
              f"{cpu_seconds(pid) / (time.monotonic() - t0) * 100:.1f}% of one core", flush=True)
    finally:
        stop(p, err)
        os.unlink(script.name)

if __name__ == "__main__":
    if os.geteuid() != 0:
        raise SystemExit("run as root")
    subprocess.run([os.path.join(ROOT, "bpf4j"), "exporter", "--help"], stdout=subprocess.DEVNULL, check=True)  # build first
    if SOAK:
        soak(SOAK)
        sys.exit(0)
    for n in ([] if ONLY_OVERHEAD else SERIES):
        series_bench(n, False)
        series_bench(n, True)
    overhead()
