import { run } from 'probot';

/**
 * Without App credentials outside production, start Probot's own setup flow: it serves a page
 * that registers the App from app.yml (manifest flow) and writes APP_ID, PRIVATE_KEY and
 * WEBHOOK_SECRET to .env. Restart afterwards to run codemonkeys for real.
 */
export async function runSetupFlow(): Promise<void> {
  await run(() => undefined);
}
