import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** Paths redacted everywhere, whatever a caller logs by mistake. */
const REDACT = [
  'token',
  '*.token',
  'privateKey',
  '*.privateKey',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'webhookSecret',
  '*.webhookSecret',
];

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'codemonkeys',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT, censor: '[redacted]' },
  });
}

/** A logger that drops everything: for tests and benchmarks. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
