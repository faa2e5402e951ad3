import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDotEnv } from '../../../src/config/dotenv.js';

describe('config/dotenv', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    delete process.env.CM_DOTENV_TEST_NEW;
    delete process.env.CM_DOTENV_TEST_KEPT;
  });

  it('loads .env written by the setup flow without overriding the real environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cm-dotenv-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, '.env'),
      'CM_DOTENV_TEST_NEW="-----BEGIN KEY-----\nabc\n-----END KEY-----"\nCM_DOTENV_TEST_KEPT=from-file\n',
    );
    process.env.CM_DOTENV_TEST_KEPT = 'from-env';
    expect(loadDotEnv(dir)).toBe(join(dir, '.env'));
    expect(process.env.CM_DOTENV_TEST_NEW).toBe('-----BEGIN KEY-----\nabc\n-----END KEY-----');
    expect(process.env.CM_DOTENV_TEST_KEPT).toBe('from-env');
  });

  it('does nothing when there is no .env', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cm-dotenv-'));
    dirs.push(dir);
    let called = false;
    expect(loadDotEnv(dir, () => (called = true))).toBeUndefined();
    expect(called).toBe(false);
  });
});
