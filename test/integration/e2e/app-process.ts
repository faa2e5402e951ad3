import { spawn } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { DEMO_REPO_DIR } from '../../../src/demo/transcript.js';
import { makeTarball, type TarEntry } from '../../unit/github/tarball.js';

/** Helpers to run `src/bin/start.ts` as a child process, exactly as `npm start` does. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Secrets {
  apiKey: string;
  webhookSecret: string;
  privateKey: string;
  /** Distinctive lines of the private key: any of them in a body or a log line is a leak. */
  privateKeyLines: string[];
  installationToken: string;
}

export function createSecrets(): Secrets {
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
  return {
    apiKey: `sk-ant-e2e-${randomBytes(16).toString('hex')}`,
    webhookSecret: `whsec-${randomBytes(16).toString('hex')}`,
    privateKey,
    privateKeyLines: privateKey.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----')),
    installationToken: `ghs_${randomBytes(18).toString('hex')}`,
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** examples/demo-repo plus extra files, under one top-level folder, like GitHub's tarball. */
export async function demoRepoTarball(top: string, extra: Record<string, string>): Promise<Buffer> {
  const entries: TarEntry[] = Object.entries(extra).map(([name, content]) => ({
    name: `${top}/${name}`,
    content,
  }));
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else
        entries.push({
          name: `${top}/${relative(DEMO_REPO_DIR, path)}`,
          content: await readFile(path, 'utf8'),
        });
    }
  };
  await walk(DEMO_REPO_DIR);
  return makeTarball(entries);
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms: number,
  describeState: () => string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${describeState()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface AppProcess {
  url: string;
  pid: number;
  /** stdout + stderr so far. */
  logs(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signed webhook delivery. */
  deliver(event: string, payload: unknown): Promise<Response>;
  /** SIGTERM, then the exit (or 'timeout' after `ms`). */
  terminate(
    ms: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'timeout'>;
  kill(): Promise<void>;
}

export interface AppEnv {
  secrets: Secrets;
  githubUrl: string;
  anthropicUrl: string;
  redisUrl: string;
  queuePrefix: string;
}

/** Starts the App (role all) with a clean environment and waits for GET /healthz. */
export async function startAppProcess(env: AppEnv): Promise<AppProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/bin/start.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...(process.env.DOCKER_HOST === undefined ? {} : { DOCKER_HOST: process.env.DOCKER_HOST }),
      NODE_ENV: 'production',
      LOG_LEVEL: 'debug',
      APP_ID: '4242',
      PRIVATE_KEY: env.secrets.privateKey,
      WEBHOOK_SECRET: env.secrets.webhookSecret,
      REDIS_URL: env.redisUrl,
      QUEUE_PREFIX: env.queuePrefix,
      HOST: '127.0.0.1',
      PORT: String(port),
      GHE_HOST: env.githubUrl.replace(/^http:\/\//, ''),
      GHE_PROTOCOL: 'http',
      ANTHROPIC_API_KEY: env.secrets.apiKey,
      ANTHROPIC_BASE_URL: env.anthropicUrl,
      SANDBOX_BACKEND: 'docker',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout.on('data', (c: Buffer) => (logs += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (logs += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  const app: AppProcess = {
    url,
    pid: child.pid ?? -1,
    logs: () => logs,
    exited,
    deliver(event, payload) {
      const body = JSON.stringify(payload);
      const signature = createHmac('sha256', env.secrets.webhookSecret).update(body).digest('hex');
      return fetch(`${url}/api/github/webhooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': event,
          'x-github-delivery': randomUUID(),
          'x-hub-signature-256': `sha256=${signature}`,
        },
        body,
      });
    },
    async terminate(ms) {
      child.kill('SIGTERM');
      return Promise.race([
        exited,
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms)),
      ]);
    },
    async kill() {
      if (running()) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
  try {
    await waitFor(
      'GET /healthz',
      async () => {
        if (!running()) throw new Error(`the App exited early:\n${logs}`);
        return (await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        ))
          ? true
          : undefined;
      },
      30_000,
      () => logs,
    );
  } catch (error) {
    await app.kill();
    throw error;
  }
  return app;
}

/** Sandbox containers and volumes a process left behind (labelled with its pid). */
export async function getLeftovers(pid: number): Promise<string[]> {
  const docker = new Docker();
  const filters = { label: [`codemonkeys.pid=${pid}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const { Volumes: volumes } = await docker.listVolumes({ filters });
  return [
    ...containers.map((c) => `container ${c.Id}`),
    ...(volumes ?? []).map((v) => `volume ${v.Name}`),
  ];
}

/** Removes what a killed process could not (only after a failed test). */
export async function removeLeftovers(pid: number): Promise<void> {
  const docker = new Docker();
  for (const item of await getLeftovers(pid)) {
    const [kind, id] = item.split(' ') as [string, string];
    if (kind === 'container')
      await docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => undefined);
    else
      await docker
        .getVolume(id)
        .remove()
        .catch(() => undefined);
  }
}
