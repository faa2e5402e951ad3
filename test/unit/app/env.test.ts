import { describe, it, expect } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { loadEnv } from '../../../src/config/env.js';
import { isCodemonkeysError, type CodemonkeysError } from '../../../src/errors.js';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

function problemsOf(fn: () => unknown): Array<{ variable: string }> {
  try {
    fn();
  } catch (error) {
    expect(isCodemonkeysError(error, 'ENV_INVALID')).toBe(true);
    return (error as CodemonkeysError).details.problems as Array<{ variable: string }>;
  }
  throw new Error('expected ENV_INVALID');
}

describe('config/env', () => {
  it('applies defaults and reads a complete environment', () => {
    const env = loadEnv({ APP_ID: '123', PRIVATE_KEY: pem, WEBHOOK_SECRET: 's' }, 'all');
    expect(env).toMatchObject({
      appId: 123,
      redisUrl: 'redis://127.0.0.1:6379',
      port: 3000,
      workerConcurrency: 2,
      sandboxBackend: 'docker',
      logLevel: 'info',
    });
    expect(env.githubBaseUrl).toBeUndefined();
  });

  it('honours GHE_HOST and GHE_PROTOCOL like Probot', () => {
    const env = loadEnv(
      {
        APP_ID: '1',
        PRIVATE_KEY: pem,
        WEBHOOK_SECRET: 's',
        GHE_HOST: 'ghe.example.com',
        GHE_PROTOCOL: 'http',
      },
      'all',
    );
    expect(env.githubBaseUrl).toBe('http://ghe.example.com/api/v3');
  });

  it('accepts a base64 key, a key with literal \\n, and PRIVATE_KEY_PATH', () => {
    const b64 = Buffer.from(pem).toString('base64');
    expect(loadEnv({ APP_ID: '1', PRIVATE_KEY: b64, WEBHOOK_SECRET: 's' }, 'all').privateKey).toBe(
      pem,
    );
    expect(
      loadEnv({ APP_ID: '1', PRIVATE_KEY: pem.replace(/\n/g, '\\n'), WEBHOOK_SECRET: 's' }, 'all')
        .privateKey,
    ).toBe(pem);
    expect(
      loadEnv({ APP_ID: '1', PRIVATE_KEY_PATH: '/k.pem', WEBHOOK_SECRET: 's' }, 'all', () => pem)
        .privateKey,
    ).toBe(pem);
  });

  it('reports every invalid variable at once', () => {
    const problems = problemsOf(() =>
      loadEnv(
        {
          APP_ID: 'abc',
          PORT: 'eighty',
          WORKER_CONCURRENCY: '0',
          REDIS_URL: 'http://x',
          LOG_LEVEL: 'loud',
          SANDBOX_BACKEND: 'vm',
          ANTHROPIC_BASE_URL: 'not a url',
        } as Record<string, string> as NodeJS.ProcessEnv,
        'all',
      ),
    );
    expect(problems.map((p) => p.variable).sort()).toEqual(
      [
        'ANTHROPIC_BASE_URL',
        'APP_ID',
        'LOG_LEVEL',
        'PORT',
        'REDIS_URL',
        'SANDBOX_BACKEND',
        'WORKER_CONCURRENCY',
      ].sort(),
    );
  });

  it('keeps checking keys and credentials after a malformed variable', () => {
    const problems = problemsOf(() =>
      loadEnv(
        { NODE_ENV: 'production', APP_ID: 'abc', PRIVATE_KEY: 'nope' } as NodeJS.ProcessEnv,
        'all',
      ),
    );
    expect(problems).toEqual([
      { variable: 'APP_ID', message: 'must be the numeric App ID' },
      { variable: 'PRIVATE_KEY', message: 'is not a PEM private key' },
      { variable: 'WEBHOOK_SECRET', message: 'is required' },
      { variable: 'ANTHROPIC_API_KEY', message: 'is required for the worker in production' },
    ]);
  });

  it('requires credentials in production and for workers, listing all missing ones', () => {
    expect(
      problemsOf(() => loadEnv({ NODE_ENV: 'production' }, 'all'))
        .map((p) => p.variable)
        .sort(),
    ).toEqual(['ANTHROPIC_API_KEY', 'APP_ID', 'PRIVATE_KEY', 'WEBHOOK_SECRET']);
    expect(problemsOf(() => loadEnv({}, 'worker')).map((p) => p.variable)).toEqual([
      'APP_ID',
      'PRIVATE_KEY',
    ]);
  });

  it('allows missing credentials outside production (Probot setup flow)', () => {
    const env = loadEnv({}, 'web');
    expect(env.appId).toBeUndefined();
    expect(env.privateKey).toBeUndefined();
  });

  it('rejects a private key that is not PEM, an unreadable key file, and local sandboxes in production', () => {
    expect(
      problemsOf(() =>
        loadEnv({ APP_ID: '1', PRIVATE_KEY: 'nope', WEBHOOK_SECRET: 's' }, 'all'),
      ).map((p) => p.variable),
    ).toEqual(['PRIVATE_KEY']);
    const unreadable = () => {
      throw new Error('ENOENT');
    };
    expect(
      problemsOf(() =>
        loadEnv(
          { APP_ID: '1', PRIVATE_KEY_PATH: '/missing', WEBHOOK_SECRET: 's' },
          'all',
          unreadable,
        ),
      ).map((p) => p.variable),
    ).toEqual(['PRIVATE_KEY_PATH']);
    expect(
      problemsOf(() =>
        loadEnv(
          {
            NODE_ENV: 'production',
            APP_ID: '1',
            PRIVATE_KEY: pem,
            WEBHOOK_SECRET: 's',
            ANTHROPIC_API_KEY: 'k',
            SANDBOX_BACKEND: 'local',
          },
          'all',
        ),
      ).map((p) => p.variable),
    ).toEqual(['SANDBOX_BACKEND']);
  });
});
