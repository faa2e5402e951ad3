import { readFile } from 'node:fs/promises';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import Anthropic from '@anthropic-ai/sdk';
import { DEFAULT_CONFIG } from '../config/repo-config.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** What was found. */
  detail: string;
  /** How to fix it, when not ok. */
  fix?: string;
  /** Optional checks do not fail the doctor. */
  optional?: boolean;
}

export interface DoctorOptions {
  env: NodeJS.ProcessEnv;
  /** Also call models.list with the key (one cheap request). */
  online: boolean;
  timeoutMs?: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_resolve, reject) =>
      setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function checkDocker(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<DoctorCheck[]> {
  const docker = new Docker();
  const where = env.DOCKER_HOST ?? '/var/run/docker.sock';
  try {
    const version = await withTimeout(docker.version(), timeoutMs, 'Docker');
    const engine: DoctorCheck = {
      name: 'Docker engine',
      ok: true,
      detail: `Docker ${version.Version} at ${where}`,
    };
    const image = env.CODEMONKEYS_BASE_IMAGE ?? DEFAULT_CONFIG.sandbox.image;
    try {
      await withTimeout(docker.getImage(image).inspect(), timeoutMs, 'Docker');
      return [engine, { name: 'Sandbox base image', ok: true, detail: image }];
    } catch {
      return [
        engine,
        {
          name: 'Sandbox base image',
          ok: false,
          detail: `${image} is missing`,
          fix: 'build it with `npm run sandbox:image` (or set sandbox.image to an image you have)',
        },
      ];
    }
  } catch (error) {
    return [
      {
        name: 'Docker engine',
        ok: false,
        detail: `not reachable at ${where}: ${message(error)}`,
        fix: 'start dockerd (e.g. `sudo systemctl start docker`), add this user to the docker group, or set DOCKER_HOST; `--sandbox local` works without Docker for development only',
      },
    ];
  }
}

async function checkRedis(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<DoctorCheck> {
  const url = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const shown = url.replace(/\/\/[^@/]*@/, '//***@');
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await withTimeout(
      redis.connect().then(() => redis.ping()),
      timeoutMs,
      'Redis',
    );
    return { name: 'Redis', ok: true, detail: shown };
  } catch (error) {
    return {
      name: 'Redis',
      ok: false,
      detail: `not reachable at ${shown}: ${message(error)}`,
      fix: 'start Redis (`redis-server --daemonize yes`) or set REDIS_URL; the CLI runs without it (checkpoints stay in memory)',
    };
  } finally {
    redis.disconnect();
  }
}

async function checkModelKey(options: DoctorOptions, timeoutMs: number): Promise<DoctorCheck> {
  const key = options.env.ANTHROPIC_API_KEY;
  if (key === undefined || key === '') {
    return {
      name: 'Model API key',
      ok: false,
      detail: 'ANTHROPIC_API_KEY is not set',
      fix: 'export ANTHROPIC_API_KEY=... (from console.anthropic.com); the demo runs without it',
    };
  }
  if (!options.online)
    return {
      name: 'Model API key',
      ok: true,
      detail: 'ANTHROPIC_API_KEY is set (not verified; add --online to call models.list)',
    };
  try {
    const client = new Anthropic({
      apiKey: key,
      maxRetries: 0,
      timeout: timeoutMs,
      logLevel: 'off',
      ...(options.env.ANTHROPIC_BASE_URL ? { baseURL: options.env.ANTHROPIC_BASE_URL } : {}),
    });
    const page = await client.models.list({ limit: 20 });
    return {
      name: 'Model API key',
      ok: true,
      detail: `accepted; models include ${page.data
        .map((m) => m.id)
        .slice(0, 4)
        .join(', ')}`,
    };
  } catch (error) {
    const status = (error as { status?: number }).status;
    return {
      name: 'Model API key',
      ok: false,
      detail:
        status === undefined
          ? `models.list failed: ${message(error)}`
          : `models.list answered HTTP ${status}`,
      fix: 'check the key and network access to api.anthropic.com (or ANTHROPIC_BASE_URL)',
    };
  }
}

async function checkApp(env: NodeJS.ProcessEnv): Promise<DoctorCheck> {
  const missing: string[] = [];
  if (!env.APP_ID) missing.push('APP_ID');
  let keyOk = Boolean(env.PRIVATE_KEY);
  if (!keyOk && env.PRIVATE_KEY_PATH)
    keyOk = await readFile(env.PRIVATE_KEY_PATH, 'utf8').then(
      (t) => t.includes('PRIVATE KEY'),
      () => false,
    );
  if (!keyOk)
    missing.push(
      env.PRIVATE_KEY_PATH
        ? 'PRIVATE_KEY_PATH (unreadable or not a PEM key)'
        : 'PRIVATE_KEY or PRIVATE_KEY_PATH',
    );
  if (!env.WEBHOOK_SECRET) missing.push('WEBHOOK_SECRET');
  if (missing.length === 0)
    return {
      name: 'GitHub App credentials',
      ok: true,
      detail: `APP_ID ${env.APP_ID}, private key and webhook secret set`,
    };
  return {
    name: 'GitHub App credentials',
    ok: false,
    optional: true,
    detail: `missing ${missing.join(', ')} (only needed to run the App; the CLI and demo work without)`,
    fix: 'register the App from app.yml (or `npm start` without credentials for the setup flow) and set APP_ID, PRIVATE_KEY_PATH and WEBHOOK_SECRET',
  };
}

/** Everything a run needs, checked at once, each with the fix. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorCheck[]> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const [docker, redis, model, app] = await Promise.all([
    checkDocker(options.env, timeoutMs),
    checkRedis(options.env, timeoutMs),
    checkModelKey(options, timeoutMs),
    checkApp(options.env),
  ]);
  return [...docker, redis, model, app];
}

export function formatDoctor(checks: DoctorCheck[]): string {
  return checks
    .map(
      (c) =>
        `${c.ok ? '✔' : c.optional === true ? '!' : '✖'} ${c.name}: ${c.detail}${c.ok || c.fix === undefined ? '' : `\n    fix: ${c.fix}`}`,
    )
    .join('\n');
}
