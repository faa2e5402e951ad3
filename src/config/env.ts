import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CodemonkeysError } from '../errors.js';

/**
 * Process environment of `npm start`, validated once at start. Every problem is reported at
 * once. Secrets (private key, webhook secret, API key) live only in this object in memory.
 */
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const intFrom = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? String(def) : v))
    .transform((v) => Number(v))
    .pipe(
      z
        .number({ error: 'must be a number' })
        .int({ error: 'must be a whole number' })
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

const envSchema = z.object({
  NODE_ENV: optionalString,
  APP_ID: optionalString.pipe(
    z.string().regex(/^\d+$/, { error: 'must be the numeric App ID' }).optional(),
  ),
  PRIVATE_KEY: optionalString,
  PRIVATE_KEY_PATH: optionalString,
  WEBHOOK_SECRET: optionalString,
  WEBHOOK_PATH: optionalString.transform((v) => v ?? '/api/github/webhooks'),
  REDIS_URL: optionalString
    .transform((v) => v ?? 'redis://127.0.0.1:6379')
    .pipe(z.string().regex(/^rediss?:\/\//, { error: 'must start with redis:// or rediss://' })),
  GHE_HOST: optionalString.pipe(
    z
      .string()
      .regex(/^[a-zA-Z0-9.-]+(:\d+)?$/, { error: 'must be a host name such as github.example.com' })
      .optional(),
  ),
  GHE_PROTOCOL: optionalString.pipe(
    z.enum(['http', 'https'], { error: 'must be http or https' }).optional(),
  ),
  HOST: optionalString,
  PORT: intFrom(3000, 0, 65_535),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalString.pipe(z.url({ error: 'must be a URL' }).optional()),
  LOG_LEVEL: optionalString
    .transform((v) => v ?? 'info')
    .pipe(
      z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
        error: 'must be one of trace, debug, info, warn, error, fatal, silent',
      }),
    ),
  WORKER_CONCURRENCY: intFrom(2, 1, 64),
  SANDBOX_BACKEND: optionalString
    .transform((v) => v ?? 'docker')
    .pipe(
      z.enum(['docker', 'local'], {
        error: 'must be docker or local (local is unsafe, development only)',
      }),
    ),
  QUEUE_PREFIX: optionalString
    .transform((v) => v ?? 'codemonkeys')
    .pipe(z.string().regex(/^[a-zA-Z0-9_-]+$/, { error: 'may contain letters, digits, _ and -' })),
});

export type Role = 'all' | 'web' | 'worker';

export interface AppEnv {
  production: boolean;
  appId?: number;
  privateKey?: string;
  webhookSecret?: string;
  webhookPath: string;
  redisUrl: string;
  /** GitHub API base URL when GHE_HOST is set (as Probot computes it), else undefined. */
  githubBaseUrl?: string;
  host?: string;
  port: number;
  anthropicApiKey?: string;
  anthropicBaseUrl?: string;
  logLevel: string;
  workerConcurrency: number;
  sandboxBackend: 'docker' | 'local';
  queuePrefix: string;
}

export interface EnvProblem {
  variable: string;
  message: string;
}

/** Validates the environment for a role; throws ENV_INVALID listing every problem. */
export function loadEnv(
  source: NodeJS.ProcessEnv,
  role: Role,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): AppEnv {
  const problems: EnvProblem[] = [];
  let parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const invalid = new Set<string>();
    for (const issue of parsed.error.issues) {
      const variable = issue.path.map(String).join('.') || '(env)';
      invalid.add(variable);
      problems.push({ variable, message: issue.message });
    }
    // Keep checking the rest (credentials, keys, combinations) without the invalid variables,
    // so one bad value does not hide the next problem.
    parsed = envSchema.safeParse(
      Object.fromEntries(Object.entries(source).filter(([name]) => !invalid.has(name))),
    );
    if (!parsed.success) throw envError(problems);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  let privateKey = e.PRIVATE_KEY;
  if (privateKey === undefined && e.PRIVATE_KEY_PATH !== undefined) {
    try {
      privateKey = readFile(e.PRIVATE_KEY_PATH);
    } catch {
      problems.push({ variable: 'PRIVATE_KEY_PATH', message: 'file cannot be read' });
    }
  }
  if (privateKey !== undefined) privateKey = decodePrivateKey(privateKey, problems);
  const hasCredentials = e.APP_ID !== undefined && privateKey !== undefined;
  // Outside production, missing App credentials mean "start Probot's setup flow" (web role).
  const credentialsRequired = production || role === 'worker';
  if (credentialsRequired || hasCredentials) {
    if (e.APP_ID === undefined) problems.push({ variable: 'APP_ID', message: 'is required' });
    if (privateKey === undefined && !problems.some((p) => p.variable === 'PRIVATE_KEY_PATH')) {
      problems.push({ variable: 'PRIVATE_KEY', message: 'is required (or PRIVATE_KEY_PATH)' });
    }
    if (role !== 'worker' && e.WEBHOOK_SECRET === undefined) {
      problems.push({ variable: 'WEBHOOK_SECRET', message: 'is required' });
    }
  }
  if (role !== 'web' && production && e.ANTHROPIC_API_KEY === undefined) {
    problems.push({
      variable: 'ANTHROPIC_API_KEY',
      message: 'is required for the worker in production',
    });
  }
  if (production && e.SANDBOX_BACKEND === 'local') {
    problems.push({ variable: 'SANDBOX_BACKEND', message: 'local is not allowed in production' });
  }
  if (problems.length > 0) throw envError(problems);
  return {
    production,
    ...(e.APP_ID === undefined ? {} : { appId: Number(e.APP_ID) }),
    ...(privateKey === undefined ? {} : { privateKey }),
    ...(e.WEBHOOK_SECRET === undefined ? {} : { webhookSecret: e.WEBHOOK_SECRET }),
    webhookPath: e.WEBHOOK_PATH,
    redisUrl: e.REDIS_URL,
    ...(e.GHE_HOST === undefined
      ? {}
      : { githubBaseUrl: `${e.GHE_PROTOCOL ?? 'https'}://${e.GHE_HOST}/api/v3` }),
    ...(e.HOST === undefined ? {} : { host: e.HOST }),
    port: e.PORT,
    ...(e.ANTHROPIC_API_KEY === undefined ? {} : { anthropicApiKey: e.ANTHROPIC_API_KEY }),
    ...(e.ANTHROPIC_BASE_URL === undefined ? {} : { anthropicBaseUrl: e.ANTHROPIC_BASE_URL }),
    logLevel: e.LOG_LEVEL,
    workerConcurrency: e.WORKER_CONCURRENCY,
    sandboxBackend: e.SANDBOX_BACKEND,
    queuePrefix: e.QUEUE_PREFIX,
  };
}

/** Accepts PEM text, PEM with literal `\n`, or base64-encoded PEM (as Probot does). */
function decodePrivateKey(value: string, problems: EnvProblem[]): string | undefined {
  let key = value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
  if (!key.includes('-----BEGIN')) {
    const decoded = Buffer.from(key, 'base64').toString('utf8');
    if (decoded.includes('-----BEGIN')) key = decoded;
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
    problems.push({ variable: 'PRIVATE_KEY', message: 'is not a PEM private key' });
    return undefined;
  }
  return key;
}

function envError(all: EnvProblem[]): CodemonkeysError {
  // One line per variable: the first (most specific) problem found for it.
  const problems = all.filter((p, i) => all.findIndex((q) => q.variable === p.variable) === i);
  const lines = problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n');
  return new CodemonkeysError('ENV_INVALID', `Invalid environment:\n${lines}`, {
    retryable: false,
    details: { problems },
  });
}
