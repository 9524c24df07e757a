#!/usr/bin/python3
"""Stalled subscribers by hand (BENCHMARKS.md, "A hostile client by hand"; issue 10, part 2).

Starts `feed-server serve` from BIN_DIR on loopback ports 61101-61103 with a scratch history and
SERVER_ARGS, a healthy `feed-client subscribe` (everything, CSV to /dev/null) and a healthy pyzmq
subscriber that prints how many messages it took each second; then N pyzmq subscribers that never
read (RCVHWM 1, 4 KiB receive buffers). Samples the server's RSS every 100 ms for SECONDS, asks
`status`, closes the stalled ones and prints: RSS before, peak (VmHWM), after they were closed,
the drops by reason, the healthy subscribers' results and the RSS timeline.

Usage: /usr/bin/python3 scripts/stalled-probe.py BIN_DIR N SECONDS [SERVER_ARGS...]
Needs pyzmq. With PRELOAD=lib.so the server runs with LD_PRELOAD (e.g. malloc_trim made a no-op).
"""
import json, os, signal, subprocess, sys, tempfile, time
import zmq

if sys.argv[1] == '--healthy':
    sub = zmq.Context().socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b'')
    sub.connect(sys.argv[2])
    count, last = 0, time.time()
    while True:
        if sub.poll(100):
            while True:
                try:
                    sub.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                count += 1
        if time.time() - last >= 1:
            print(count, flush=True)
            count, last = 0, time.time()

bindir, n, seconds, extra = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
work = tempfile.mkdtemp(prefix='stalled-probe-')
pub, ingest, replay = 'tcp://127.0.0.1:61101', 'tcp://127.0.0.1:61102', 'tcp://127.0.0.1:61103'
env = dict(os.environ, LD_PRELOAD=os.environ['PRELOAD']) if os.environ.get('PRELOAD') else None
server = subprocess.Popen(
    [f'{bindir}/feed-server', 'serve', '--publish', pub, '--ingest', ingest, '--replay', replay,
     '--db', f'{work}/feed.sqlite'] + extra, stderr=open(f'{work}/server.log', 'w'), env=env)


def memory(field):
    for line in open(f'/proc/{server.pid}/status'):
        if line.startswith(field + ':'):
            return int(line.split()[1]) * 1024 / 2**20


deadline = time.time() + 30
while 'ready' not in open(f'{work}/server.log').read():
    if time.time() > deadline or server.poll() is not None:
        sys.exit(f'the server did not start: {open(f"{work}/server.log").read()}')
    time.sleep(0.1)
client = subprocess.Popen([f'{bindir}/feed-client', 'subscribe', '--from', pub, '--format', 'csv'],
                          stdout=subprocess.DEVNULL, stderr=open(f'{work}/client.log', 'w'))
counter = subprocess.Popen([sys.executable, __file__, '--healthy', pub], stdout=open(f'{work}/counter.log', 'w'))
time.sleep(3)
before = memory('VmRSS')
context = zmq.Context()
stalled = []
started = time.time()
for _ in range(n):
    s = context.socket(zmq.SUB)
    s.setsockopt(zmq.RCVHWM, 1)
    s.setsockopt(zmq.RCVBUF, 4096)
    s.setsockopt(zmq.SUBSCRIBE, b'')
    s.connect(pub)
    stalled.append(s)
timeline = []
while time.time() - started < seconds:
    timeline.append((round(time.time() - started, 1), round(memory('VmRSS'))))
    time.sleep(0.1)
status = json.loads(subprocess.run([f'{bindir}/feed-client', 'status', '--server', replay],
                                   capture_output=True, text=True).stdout)
for s in stalled:
    s.close(linger=0)
time.sleep(3)
client.send_signal(signal.SIGINT)
client.wait(timeout=30)
counter.kill()
after = memory('VmRSS')
peak = memory('VmHWM')
server.send_signal(signal.SIGTERM)
server.wait(timeout=60)
print(f'RSS before {before:.0f} MiB, peak {peak:.0f} MiB, after {after:.0f} MiB; published {status["published"]}, '
      f'dropped {status.get("dropped_subscribers", {})}')
print('feed-client:', open(f'{work}/client.log').read().strip().splitlines()[-1])
print('pyzmq messages per second:', ' '.join(open(f'{work}/counter.log').read().split()))
print('RSS timeline (s, MiB):', timeline[::5])
print('logs in', work)
