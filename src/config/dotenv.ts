import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Loads `.env` from the working directory into `env` if the file exists, without overriding
 * variables already set (the real environment wins). Probot's setup flow writes APP_ID,
 * PRIVATE_KEY and WEBHOOK_SECRET there, so the next `npm start` must read it.
 * Returns the path loaded, or undefined.
 */
export function loadDotEnv(
  cwd: string = process.cwd(),
  load: (path: string) => void = (path) => process.loadEnvFile(path),
): string | undefined {
  const path = join(cwd, '.env');
  if (!existsSync(path)) return undefined;
  load(path);
  return path;
}
