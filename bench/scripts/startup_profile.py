#!/usr/bin/env python3
"""Where jstrato's start-up time goes, phase by phase, from exec to the QMP greeting (issue 16).

    bench/scripts/startup_profile.py [--runs N] [--kernel PATH [--mem MiB]] [-- EXTRA JSTRATO ARGS]

Without --kernel it starts QEMU's empty machine (-machine none: no KVM needed, the management plane alone);
with --kernel a microVM on /dev/kvm (the machine's phases too). Each run sets JSTRATO_JAVA_OPTS to
-Djstrato.startup.trace=true (io.jstrato.vmm.process.StartupTrace: when each phase ends, CLOCK_MONOTONIC, on
stderr), -Xlog:startuptime (the JVM's own phases) and -Xlog:class+load (every class, when and from where), then
connects to the QMP socket, reads the greeting, sends quit and waits for the process to end. Prints one Markdown
table: per phase the median time it took and the median time since exec, and the classes loaded in it, with how
many of those were not in the AOT cache (defined from the jar or spun at run time: lambdas, FFM stubs, proxies).
Then the classes by component over the whole start. Nothing is estimated; a run that fails stops the script.
"""
import argparse
import collections
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HOME = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
COMPONENTS = [("io.jstrato.", "jstrato"), ("io.netty.", "Netty"), ("com.fasterxml.jackson.", "Jackson"),
              ("io.micrometer.", "Micrometer"), ("org.apache.commons.cli.", "commons-cli"),
              ("jdk.internal.foreign.", "FFM (JDK)"), ("java.lang.foreign.", "FFM (JDK)"),
              ("java.lang.invoke.", "method handles, lambdas (JDK)"), ("jdk.jfr.", "JFR (JDK)"),
              ("java.", "other JDK"), ("jdk.", "other JDK"), ("sun.", "other JDK")]


def component(cls):
    for prefix, name in COMPONENTS:
        if cls.startswith(prefix):
            return name
    return "other"


def one_run(args, extra, work):
    sock = os.path.join(work, "qmp.sock")
    classes_log = os.path.join(work, "classes.log")
    jvm_log = os.path.join(work, "jvm.log")
    cmd = [os.path.join(HOME, "bin", "jstrato")]
    if args.kernel:
        cmd += ["-kernel", args.kernel, "-m", str(args.mem), "-serial", "none"]
    else:
        cmd += ["-machine", "none"]
    cmd += ["-qmp", "unix:%s,server,nowait" % sock] + extra
    env = dict(os.environ)
    env["JSTRATO_JAVA_OPTS"] = (env.get("JSTRATO_JAVA_OPTS", "") + " -Djstrato.startup.trace=true"
                                + " -Xlog:startuptime:file=%s:timenanos" % jvm_log
                                + " -Xlog:class+load:file=%s:timenanos" % classes_log)
    t0 = time.monotonic_ns()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                         cwd=work)
    s = socket.socket(socket.AF_UNIX)
    deadline = time.monotonic() + 120
    while True:
        try:
            s.connect(sock)
            break
        except OSError:
            if p.poll() is not None or time.monotonic() > deadline:
                sys.exit("startup_profile: jstrato ended or never listened: %s" % p.stderr.read().decode())
            time.sleep(0.0005)
    f = s.makefile("rb")
    f.readline()
    t_greeting = time.monotonic_ns()
    s.sendall(b'{"execute":"qmp_capabilities"}\n')
    f.readline()
    t_quit = time.monotonic_ns()
    s.sendall(b'{"execute":"quit"}\n')
    err = p.stderr.read().decode()
    p.wait()
    t_gone = time.monotonic_ns()
    marks = [(m.group(1), int(m.group(2))) for m in re.finditer(r"^startup: (.+) (\d+)$", err, re.M)]
    if not marks:
        sys.exit("startup_profile: no startup marks (is the jar built from this tree?): " + err[-2000:])
    marks.append(("QMP greeting read by the client", t_greeting))
    # The greeting may come before the last phases end (QMP listens while the machine is built).
    marks.sort(key=lambda m: m[1])
    loaded = []
    for line in open(classes_log, errors="replace"):
        m = re.match(r"\[(\d+)ns\] (\S+) source: (.*)$", line.strip())
        if m:
            loaded.append((int(m.group(1)), m.group(2), "shared objects file" not in m.group(3)))
    create_vm = None
    for line in open(jvm_log, errors="replace"):
        m = re.search(r"Create VM, ([\d.]+) secs", line)
        if m:
            create_vm = float(m.group(1)) * 1000
    return t0, marks, loaded, create_vm, (t_gone - t_quit) / 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kernel")
    parser.add_argument("--mem", type=int, default=128)
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    args = parser.parse_args(argv)
    phases = collections.OrderedDict()
    totals = collections.defaultdict(list)
    by_component = collections.defaultdict(list)
    create_vms, quits = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="jstrato-profile-") as work:
            t0, marks, loaded, create_vm, quit_ms = one_run(args, extra, work)
        create_vms.append(create_vm)
        quits.append(quit_ms)
        previous = t0
        for name, t in marks:
            in_phase = [c for c in loaded if previous < c[0] <= t]
            row = phases.setdefault(name, {"took": [], "since": [], "classes": [], "defined": []})
            row["took"].append((t - previous) / 1e6)
            row["since"].append((t - t0) / 1e6)
            row["classes"].append(len(in_phase))
            row["defined"].append(sum(1 for c in in_phase if c[2]))
            previous = t
        counts = collections.Counter(component(c[1]) for c in loaded)
        for name in set(n for _, n in COMPONENTS) | {"other"}:
            by_component[name].append(counts.get(name, 0))
        totals["classes"].append(len(loaded))
    med = statistics.median
    machine = ("microVM, %s, %d MiB, on /dev/kvm" % (os.path.basename(args.kernel), args.mem)) if args.kernel \
        else "-machine none (no KVM)"
    print("Start-up profile: %s, %d runs, %d CPUs, load average %.2f at the end, medians.\n"
          % (machine, args.runs, os.cpu_count(), os.getloadavg()[0]))
    print("| phase (ends when) | took | since exec | classes loaded | not from the AOT cache |")
    print("|---|---:|---:|---:|---:|")
    print("| (JVM's own \"Create VM\", inside the first row) | %.0f ms | | | |" % med([c or 0 for c in create_vms]))
    for name, row in phases.items():
        print("| %s | %.0f ms | %.0f ms | %d | %d |" % (name, med(row["took"]), med(row["since"]),
                                                      med(row["classes"]), med(row["defined"])))
    print("| `quit` sent → process gone | %.0f ms | | | |" % med(quits))
    print("\nClasses loaded by the greeting, by component (median of %d runs, %d in all):\n"
          % (args.runs, med(totals["classes"])))
    print("| component | classes |")
    print("|---|---:|")
    for name, counts in sorted(by_component.items(), key=lambda kv: -med(kv[1])):
        if med(kv_counts := counts) > 0:
            print("| %s | %d |" % (name, med(kv_counts)))


if __name__ == "__main__":
    main()
