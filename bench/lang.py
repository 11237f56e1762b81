#!/usr/bin/env python3
"""bpf4j trace beside bpftrace, in one run: start-up, memory, and the size of the BPF programs each generates.

1. One-liners: wall time from start until every probe is attached (both print __BPFTRACE_NOTIFY_PROBES_ATTACHED
   when that variable is set), and peak memory (VmHWM of the tool's process, read just before SIGTERM). The two
   tools alternate, ROUNDS rounds each, after a warm-up of each (the jar, its class-data archive, page cache).
2. Tool scripts (shared/bpftrace/tools) that run here: each tool is started, and once attached the BPF programs its
   process holds (prog_id in /proc/PID/fdinfo) are measured with bpftool: translated ("xlated") instructions.
   Programs are paired by name (both name a program after its probe); a program only one tool holds (bpftrace
   0.17 keeps no BEGIN program once it has run) is left out of the comparison and counted apart.

3. With --v026: the tool scripts of shared/bpftrace-0.26/tools that bpftrace 0.17 ships too (shared/bpftrace/tools):
   bpf4j runs the v0.26 script, bpftrace 0.17 the v0.17 one of the same name. Start-up to attached and peak
   memory (median of ROUNDS alternating runs), and xlated instructions paired by program name as in part 2. A
   script either side cannot attach here (kprobes, uprobes into a missing library) is listed as skipped.

bpf4j runs as bpftrace's drop-in (scripts/bpftrace), so both take the same command line.
Usage: bench/lang.py [ROUNDS] [--start-only | --insns-only | --v026]    (root; Debian's bpftrace and bpftool installed)
"""
import json, os, signal, statistics, subprocess, sys, threading, time

from startup import vmhwm_kb  # bench/startup.py: peak memory of a process

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.environ.get("BPF4J_SHARED", os.path.join(ROOT, "..", "shared"))
TOOLS_DIR = os.path.join(SHARED, "bpftrace", "tools")
TOOLS_DIR_026 = os.path.join(SHARED, "bpftrace-0.26", "tools")
ROUNDS = int(next((a for a in sys.argv[1:] if a.isdigit()), "10"))
TOOLS = {"bpftrace": ["bpftrace"], "bpf4j": [os.path.join(ROOT, "scripts", "bpftrace")]}
NOTIFY = "__BPFTRACE_NOTIFY_PROBES_ATTACHED"

ONE_LINERS = {
    "BEGIN printf": 'BEGIN { printf("hello\\n"); }',
    "kill printf": 'tracepoint:syscalls:sys_enter_kill { printf("%d %s %d %d\\n", pid, comm, args->sig, args->pid); }',
    "count by comm": 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }',
    "hist of read sizes": 'tracepoint:syscalls:sys_exit_read /args->ret > 0/ { @[comm] = hist(args->ret); }',
}
TOOL_SCRIPTS = ["killsnoop", "execsnoop", "opensnoop", "statsnoop", "syscount", "pidpersec", "setuids", "syncsnoop",
                "bitesize", "cpuwalk", "writeback", "gethostlatency", "bashreadline"]


def start(cmd):
    env = dict(os.environ, **{NOTIFY: "1"})
    t0 = time.monotonic()
    # bpftrace 0.26 (and bpf4j) print the line on stdout, 0.17 on stderr: read both, and keep reading once it came
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    for line in p.stdout:
        if line.startswith(NOTIFY):
            threading.Thread(target=p.stdout.read, daemon=True).start()
            return p, time.monotonic() - t0
    p.wait()
    raise RuntimeError(f"{cmd} exited before attaching")


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def one_liner(tool, prog):
    p, t = start(TOOLS[tool] + ["-e", prog])
    try:
        time.sleep(0.3)
        return t, vmhwm_kb(p.pid)
    finally:
        stop(p)


def programs(pid):
    """(name, xlated instructions) of every BPF program process pid holds a descriptor of."""
    ids = set()
    fdinfo = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(fdinfo):
        try:
            with open(os.path.join(fdinfo, fd)) as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass
    out = []
    for i in sorted(ids):
        info = json.loads(subprocess.check_output(["bpftool", "prog", "show", "id", str(i), "-j"]))
        out.append((info.get("name", "?"), info["bytes_xlated"] // 8))
    return out


def script_run(tool, path):
    """(seconds to attached, peak KiB, programs) of one run of tool on the script at path."""
    p, t = start(TOOLS[tool] + [path])
    try:
        time.sleep(0.3)
        return t, vmhwm_kb(p.pid), programs(p.pid)
    finally:
        stop(p)


def pair(a, b):
    """Pairs programs by name: (pairs, a's insns, b's insns, a's unpaired names, b's unpaired names)."""
    left = list(a)
    na = nb = pairs = 0
    alone_b = []
    for name, n in b:
        match = next((x for x in left if x[0] == name), None)
        if match is None:
            alone_b.append(name)
            continue
        left.remove(match)
        na += match[1]
        nb += n
        pairs += 1
    return pairs, na, nb, [x[0] for x in left], alone_b


def v026():
    shared = sorted(f[:-3] for f in os.listdir(TOOLS_DIR_026)
                    if f.endswith(".bt") and os.path.exists(os.path.join(TOOLS_DIR, f)))
    print(f"== v0.26 tool scripts (bpf4j) against the v0.17 ones of the same name (bpftrace 0.17), "
          f"median of {ROUNDS} alternating runs")
    print(f"{'tool':<16} {'bpftrace ms':>11} {'bpf4j ms':>9} {'ratio':>6}   {'bpftrace MiB':>12} {'bpf4j MiB':>9} "
          f"{'ratio':>6}   {'insns bt':>8} {'bpf4j':>6} {'ratio':>6}")
    rt, rm, ri = [], [], []
    for script in shared:
        paths = {"bpftrace": os.path.join(TOOLS_DIR, script + ".bt"), "bpf4j": os.path.join(TOOLS_DIR_026, script + ".bt")}
        res = {tool: [] for tool in TOOLS}
        try:
            for _ in range(ROUNDS):
                for tool in TOOLS:
                    res[tool].append(script_run(tool, paths[tool]))
        except RuntimeError as e:
            print(f"{script:<16} skipped: {str(e)[:90]}")
            continue
        bt = statistics.median(r[0] for r in res["bpftrace"]) * 1000
        bj = statistics.median(r[0] for r in res["bpf4j"]) * 1000
        mt = statistics.median(r[1] for r in res["bpftrace"]) / 1024
        mj = statistics.median(r[1] for r in res["bpf4j"]) / 1024
        _, na, nb, _, _ = pair(res["bpftrace"][0][2], res["bpf4j"][0][2])
        rt.append(bj / bt)
        if mt > 0 and mj > 0:
            rm.append(mj / mt)
        if na:
            ri.append(nb / na)
        print(f"{script:<16} {bt:>11.0f} {bj:>9.0f} {bj / bt:>6.2f}   {mt:>12.1f} {mj:>9.1f} "
              f"{mj / mt if mt and mj else 0:>6.2f}   {na:>8} {nb:>6} {nb / na if na else 0:>6.2f}")
    print(f"geometric mean ratio bpf4j (v0.26 scripts) / bpftrace 0.17 (v0.17 scripts): start-up "
          f"{statistics.geometric_mean(rt):.2f}, peak memory {statistics.geometric_mean(rm):.2f}, "
          f"instructions {statistics.geometric_mean(ri):.2f} over {len(rt)} tools")


def tool_programs(tool, script):
    p, _ = start(TOOLS[tool] + [os.path.join(TOOLS_DIR, script + ".bt")])
    try:
        time.sleep(0.3)
        return programs(p.pid)
    finally:
        stop(p)


def main():
    # warm-up: the build and the trained start-up cache of bpf4j (waited for), the page cache for both
    subprocess.run([os.path.join(ROOT, "bpf4j"), "trace", "-V"], env=dict(os.environ, BPF4J_AOT_WAIT="1"),
                   stdout=subprocess.DEVNULL, check=True)
    for tool in TOOLS:
        one_liner(tool, ONE_LINERS["BEGIN printf"])
    if "--v026" in sys.argv:
        v026()
        return
    start = "--insns-only" not in sys.argv   # only the instruction counts (part 2)
    print(f"== start-up to attached and peak RSS, median of {ROUNDS} alternating runs")
    print(f"{'one-liner':<20} {'bpftrace ms':>11} {'bpf4j ms':>9} {'ratio':>6}   {'bpftrace MiB':>12} {'bpf4j MiB':>9} {'ratio':>6}")
    ratios_t, ratios_m = [], []
    for name, prog in (ONE_LINERS.items() if start else []):
        res = {tool: [] for tool in TOOLS}
        for _ in range(ROUNDS):
            for tool in TOOLS:
                res[tool].append(one_liner(tool, prog))
        bt = statistics.median(t for t, _ in res["bpftrace"]) * 1000
        bj = statistics.median(t for t, _ in res["bpf4j"]) * 1000
        mt = statistics.median(m for _, m in res["bpftrace"]) / 1024
        mj = statistics.median(m for _, m in res["bpf4j"]) / 1024
        ratios_t.append(bj / bt)
        if mj > 0 and mt > 0:
            ratios_m.append(mj / mt)
            print(f"{name:<20} {bt:>11.0f} {bj:>9.0f} {bj / bt:>6.2f}   {mt:>12.1f} {mj:>9.1f} {mj / mt:>6.2f}")
        else:   # bpftrace v0.26 (and bpf4j) end a BEGIN-only program by itself: gone before its memory is read
            print(f"{name:<20} {bt:>11.0f} {bj:>9.0f} {bj / bt:>6.2f}   {mt:>12.1f} {'ended':>9} {'-':>6}")
    if start:
        print(f"geometric mean ratio bpf4j/bpftrace: start-up {statistics.geometric_mean(ratios_t):.2f}, "
              f"peak memory {statistics.geometric_mean(ratios_m):.2f}")
    if "--start-only" in sys.argv:
        return
    print()
    print("== BPF instructions (xlated) of the programs generated for the tool scripts")
    print(f"{'tool':<16} {'paired':>6} {'bpftrace insns':>14} {'bpf4j insns':>11} {'ratio':>6}   unpaired (bpftrace / bpf4j)")
    ratios_i = []
    tot_bt = tot_bj = 0
    for script in TOOL_SCRIPTS:
        try:
            a = tool_programs("bpftrace", script)
            b = tool_programs("bpf4j", script)
        except RuntimeError as e:
            print(f"{script:<16} skipped: {e}")
            continue
        pairs, na, nb, left, alone_b = pair(a, b)
        tot_bt += na
        tot_bj += nb
        if na:
            ratios_i.append(nb / na)
        print(f"{script:<16} {pairs:>6} {na:>14} {nb:>11} {nb / na if na else 0:>6.2f}   "
              f"{','.join(left) or '-'} / {','.join(alone_b) or '-'}")
    print(f"{'total':<16} {'':>5} {tot_bt:>14} {tot_bj:>11} {tot_bj / tot_bt:>6.2f}")
    print(f"geometric mean ratio bpf4j/bpftrace: instructions {statistics.geometric_mean(ratios_i):.2f}")


if __name__ == "__main__":
    main()
