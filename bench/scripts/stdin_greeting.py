#!/usr/bin/env python3
# exec -> QMP greeting of a VM with its console on stdio, by what stdin is: a pipe (a terminal session, a
# supervisor that talks to the console), /dev/null (systemd, Kata and other daemons) or a regular file.
# jstrato and QEMU microvm alternating, same counter guest, N runs each (default 5). Needs /dev/kvm; QEMU gets
# -accel kvm (with -cpu host,-arch-capabilities, which kvm_pvm needs). Usage: bench/scripts/stdin_greeting.py [N]
import os, socket, subprocess, sys, tempfile, time, statistics

here = os.path.dirname(os.path.abspath(__file__))
home = os.path.abspath(os.path.join(here, "..", ".."))
guest = os.path.join(home, "guests", "build", "counter.elf")
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
tmp = tempfile.mkdtemp(prefix="stdin-greeting.")
typed = os.path.join(tmp, "typed-ahead")
with open(typed, "w") as f:
    f.write("typed ahead\n")

def jstrato(sock):
    return [os.path.join(home, "bin", "jstrato"), "-kernel", guest, "-append", "console=ttyS0", "-m", "128",
            "-serial", "stdio", "-qmp", f"unix:{sock},server,nowait"]

def qemu(sock):
    return ["qemu-system-x86_64", "-M", "microvm,x-option-roms=off,acpi=off,rtc=off", "-accel", "kvm",
            "-cpu", "host,-arch-capabilities", "-m", "128", "-nodefaults", "-no-user-config", "-nographic",
            "-serial", "stdio", "-no-reboot", "-kernel", guest, "-append", "console=ttyS0",
            "-qmp", f"unix:{sock},server=on,wait=off"]

def once(cmd, stdin_kind):
    sock = os.path.join(tmp, "qmp.sock")
    if os.path.exists(sock):
        os.unlink(sock)
    stdin = {"pipe": subprocess.PIPE, "/dev/null": subprocess.DEVNULL, "file": open(typed, "rb")}[stdin_kind]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd(sock), stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    s = socket.socket(socket.AF_UNIX)
    while True:
        try:
            s.connect(sock)
            break
        except OSError:
            if p.poll() is not None:
                raise SystemExit(f"{cmd(sock)[0]} exited with {p.returncode} before it greeted")
            time.sleep(0.0002)
    s.makefile("rb").readline()
    ms = (time.monotonic() - t0) * 1000
    s.sendall(b'{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n')
    p.wait(timeout=30)
    s.close()
    return ms

results = {}
for i in range(runs):
    order = [("jstrato", jstrato), ("QEMU", qemu)]
    if i % 2:
        order.reverse()
    for kind in ("pipe", "/dev/null", "file"):
        for name, cmd in order:
            results.setdefault((name, kind), []).append(once(cmd, kind))

kvm = next((m for m in ("kvm_pvm", "kvm_amd", "kvm_intel") if os.path.isdir(f"/sys/module/{m}")), "unknown")
print(f"exec -> QMP greeting, console on stdio, {runs} runs each, alternating; /dev/kvm: {kvm}; "
      f"load average {os.getloadavg()[0]:.2f}")
print("| stdin | jstrato median | min | max | QEMU median | min | max | jstrato/QEMU |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for kind in ("pipe", "/dev/null", "file"):
    j, q = results[("jstrato", kind)], results[("QEMU", kind)]
    print(f"| {kind} | {statistics.median(j):.0f} ms | {min(j):.0f} | {max(j):.0f} | {statistics.median(q):.0f} ms | "
          f"{min(q):.0f} | {max(q):.0f} | {statistics.median(j) / statistics.median(q):.1f}x |")
