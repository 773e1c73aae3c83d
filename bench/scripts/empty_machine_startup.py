#!/usr/bin/env python3
# exec -> QMP greeting, idle RSS and quit -> exit of the empty machine (-machine none / -M none), jstrato and QEMU
# alternating, 5 runs each. Needs no KVM. Usage: bench/scripts/empty_machine_startup.py
import os, socket, subprocess, time, statistics, sys
def run(cmd, sock):
    if os.path.exists(sock): os.unlink(sock)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=dict(os.environ, **extra))
    s = socket.socket(socket.AF_UNIX)
    while True:
        try:
            s.connect(sock); break
        except OSError:
            time.sleep(0.0002)
    f = s.makefile('rb')
    f.readline()
    t1 = time.monotonic()
    time.sleep(1.0)  # let it settle to idle before reading RSS
    rss = 0
    for line in open(f'/proc/{p.pid}/status'):
        if line.startswith('VmRSS:'): rss = int(line.split()[1]) / 1024
    s.sendall(b'{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n')
    tq = time.monotonic()
    p.wait()
    t2 = time.monotonic()
    return (t1 - t0) * 1000, rss, (t2 - tq) * 1000
extra = {}
j = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bin", "jstrato"), "-machine", "none", "-qmp", "unix:/tmp/mj.sock,server,nowait"]
q = ["qemu-system-x86_64", "-M", "none", "-nodefaults", "-nographic", "-qmp", "unix:/tmp/mq.sock,server,nowait"]
res = {"jstrato": [], "qemu": []}
for i in range(5):
    order = [("jstrato", j, "/tmp/mj.sock"), ("qemu", q, "/tmp/mq.sock")]
    if i % 2: order.reverse()
    for name, cmd, sock in order:
        res[name].append(run(cmd, sock))
for name, rows in res.items():
    g = [r[0] for r in rows]; m = [r[1] for r in rows]; qt = [r[2] for r in rows]
    print(f"{name}: exec->greeting median {statistics.median(g):.0f} ms (min {min(g):.0f}, max {max(g):.0f}); idle RSS median {statistics.median(m):.1f} MiB (min {min(m):.1f}, max {max(m):.1f}); quit->gone median {statistics.median(qt):.0f} ms")
