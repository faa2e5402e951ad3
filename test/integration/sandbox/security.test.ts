import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment, RepoSnapshot, SandboxProvider } from '../../../src/sandbox/types.js';
import {
  GOOD_PATCH,
  createTestProvider,
  disposeAndCount,
  makeFixtureRepo,
  makeSpec,
  py,
  removeDir,
} from './helpers.js';

const FAKE_SECRET = `ghp_fakesecret_${randomUUID().replace(/-/g, '')}`;
const label = `security-${randomUUID().slice(0, 8)}`;

/** Hostile scripts against the Docker backend: each is contained, reported, and the sandbox stays usable. */
describe('docker sandbox security', () => {
  let provider: SandboxProvider;
  let snapshot: RepoSnapshot;
  let env: Environment;

  const expectStillUsable = async (): Promise<void> => {
    const result = await env.run(py('print("still fine")\n'));
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('still fine\n');
  };

  beforeAll(async () => {
    process.env.GITHUB_TOKEN_FAKE_FOR_TEST = FAKE_SECRET;
    provider = createTestProvider('docker', label, 2);
    snapshot = await makeFixtureRepo('security');
    env = await provider.prepare(makeSpec({ memoryMb: 256, pids: 64 }), snapshot);
  });

  afterAll(async () => {
    delete process.env.GITHUB_TOKEN_FAKE_FOR_TEST;
    await provider.close();
    await removeDir(snapshot.dir);
  });

  it('has no network: connections and DNS fail, only loopback exists', async () => {
    const result = await env.run(
      py(`import os, socket
for target in [("1.1.1.1", 53), ("172.17.0.1", 2375), ("8.8.8.8", 443)]:
    try:
        socket.create_connection(target, timeout=2)
        print("CONNECTED", target)
    except OSError as e:
        print("blocked", type(e).__name__)
try:
    socket.getaddrinfo("example.com", 443)
    print("RESOLVED")
except OSError:
    print("dns blocked")
print(sorted(os.listdir("/sys/class/net")))
`),
    );
    expect(result.stdout).not.toMatch(/CONNECTED|RESOLVED/);
    expect(result.stdout).toContain('dns blocked');
    expect(result.stdout).toContain("['lo']");
    await expectStillUsable();
  });

  it('sees no host secrets in its environment or in /proc', async () => {
    expect(process.env.GITHUB_TOKEN_FAKE_FOR_TEST).toBe(FAKE_SECRET);
    const result = await env.run({
      files: {},
      argv: [
        'sh',
        '-c',
        'env; cat /proc/1/environ | tr "\\0" "\\n"; grep -rs ghp_ /proc/*/environ /home /tmp /workspace || true',
      ],
      timeoutMs: 20_000,
      outputCapBytes: 65_536,
    });
    expect(result.combined).not.toContain(FAKE_SECRET);
    expect(result.combined).not.toContain('GITHUB_TOKEN');
    await expectStillUsable();
  });

  it('runs unprivileged: uid 1000, no capabilities, no-new-privileges', async () => {
    const result = await env.run({
      files: {},
      argv: ['sh', '-c', 'id -u; grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status'],
      timeoutMs: 20_000,
      outputCapBytes: 65_536,
    });
    expect(result.stdout).toMatch(/^1000\n/);
    expect(result.stdout).toMatch(/CapEff:\s+0000000000000000/);
    expect(result.stdout).toMatch(/CapBnd:\s+0000000000000000/);
    expect(result.stdout).toMatch(/NoNewPrivs:\s+1/);
  });

  it('cannot read or write outside its workspace', async () => {
    const result = await env.run(
      py(`import os
def attempt(label, fn):
    try:
        fn()
        print("ALLOWED", label)
    except OSError as e:
        print("denied", label, type(e).__name__)
attempt("read /etc/shadow", lambda: open("/etc/shadow").read())
attempt("write /etc/passwd", lambda: open("/etc/passwd", "a").write("x"))
attempt("create /etc/evil", lambda: open("/etc/evil", "w").write("x"))
attempt("create /usr/bin/evil", lambda: open("/usr/bin/evil", "w").write("x"))
attempt("list /root", lambda: os.listdir("/root"))
print("host repo visible", os.path.exists("${process.cwd()}/package.json"))
print("host tmp visible", os.path.exists("${snapshot?.dir ?? '/nonexistent'}"))
`),
    );
    expect(result.stdout).not.toContain('ALLOWED');
    expect(result.stdout.match(/denied/g)?.length).toBe(5);
    expect(result.stdout).toContain('host repo visible False');
    expect(result.stdout).toContain('host tmp visible False');
    await expectStillUsable();
  });

  it('has no docker socket to escape through', async () => {
    const result = await env.run(
      py(`import os, socket
print("exists", os.path.exists("/var/run/docker.sock"), os.path.exists("/run/docker.sock"))
try:
    s = socket.socket(socket.AF_UNIX)
    s.connect("/var/run/docker.sock")
    s.sendall(b"GET /containers/json HTTP/1.0\\r\\n\\r\\n")
    print("SOCKET OPEN")
except OSError as e:
    print("no socket", type(e).__name__)
try:
    open("/var/run/docker.sock", "w").write("x")
    print("WROTE")
except OSError as e:
    print("write denied", type(e).__name__)
`),
    );
    expect(result.stdout).toContain('exists False False');
    expect(result.stdout).toContain('no socket');
    expect(result.stdout).toContain('write denied');
    await expectStillUsable();
  });

  it('contains a fork bomb with the pids limit', async () => {
    const started = Date.now();
    const result = await env.run(
      py(
        `import os, time
count = 0
try:
    while True:
        pid = os.fork()
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        count += 1
except OSError as e:
    print("fork limited after", count, type(e).__name__, flush=True)
`,
        { timeoutMs: 15_000 },
      ),
    );
    expect(result.stdout).toMatch(/fork limited after \d+/);
    const forks = Number(/after (\d+)/.exec(result.stdout)?.[1]);
    expect(forks).toBeLessThan(64);
    expect(Date.now() - started).toBeLessThan(15_000);
    await expectStillUsable();
  });

  it('contains unbounded memory allocation with the memory limit', async () => {
    const result = await env.run(
      py(
        `chunks = []
while True:
    chunks.append(bytearray(16 * 1024 * 1024))
    print("allocated", len(chunks) * 16, "MiB", flush=True)
`,
        { timeoutMs: 20_000 },
      ),
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.timedOut).toBe(false);
    const last = Number(/(\d+) MiB\n$/.exec(result.stdout)?.[1] ?? '0');
    expect(last).toBeLessThanOrEqual(256);
    await expectStillUsable();
  });

  it('caps 1 GB of output fast, without buffering it', async () => {
    const heapBefore = process.memoryUsage().rss;
    const started = Date.now();
    const result = await env.run({
      files: {},
      argv: ['sh', '-c', 'echo BEGIN; head -c 1073741824 /dev/zero | tr "\\0" "y"; echo END'],
      timeoutMs: 60_000,
      outputCapBytes: 8_192,
    });
    const elapsed = Date.now() - started;
    expect(result.truncated).toBe(true);
    expect(result.stdout.startsWith('BEGIN\n')).toBe(true);
    expect(result.stdout.length).toBeLessThan(8_192 + 100);
    expect(result.stoppedBy).toBe('output-limit');
    expect(elapsed).toBeLessThan(10_000);
    expect(process.memoryUsage().rss - heapBefore).toBeLessThan(200 * 1024 * 1024);
    await expectStillUsable();
  });

  it('times out a script that never terminates and keeps its partial output', async () => {
    const result = await env.run(
      py('import time\nwhile True:\n    print("tick", flush=True)\n    time.sleep(0.2)\n', {
        timeoutMs: 1_500,
      }),
    );
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBe(137);
    expect(result.stdout).toContain('tick\n');
    await expectStillUsable();
  });

  it('does not let background processes outlive their execution', async () => {
    const first = await env.run({
      files: {},
      argv: [
        'sh',
        '-c',
        'setsid sleep 300 >/dev/null 2>&1 & (sleep 301 &) ; nohup sleep 302 >/dev/null 2>&1 & echo spawned',
      ],
      timeoutMs: 20_000,
      outputCapBytes: 4_096,
    });
    expect(first.stdout).toBe('spawned\n');
    expect(first.durationMs).toBeLessThan(5_000);
    const second = await env.run(
      py(`import os
found = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\\0", b" ").decode()
    except OSError:
        continue
    if "sleep 30" in cmd:
        found.append(cmd)
print("sleepers", found)
`),
    );
    expect(second.stdout).toBe('sleepers []\n');
  });

  it('cannot see the driver control files nor forge a patch failure', async () => {
    const result = await env.run(
      py(
        `import os
print("control files", sorted(f for f in os.listdir("/tmp") if f.startswith("codemonkeys")))
exit(1)
`,
        { patch: GOOD_PATCH },
      ),
    );
    expect(result.patchError).toBeUndefined();
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('control files []\n');
  });

  it('leaves nothing behind once closed', async () => {
    expect(await disposeAndCount(provider, label)).toBe(0);
  });
});
