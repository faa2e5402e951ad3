import { CodemonkeysError } from '../errors.js';
import { parseRepoConfig, DEFAULT_CONFIG, type ConfigResult } from '../config/repo-config.js';

export const CONFIG_FILE = 'codemonkeys.yml';

/** The part of a Probot context this loader needs. */
export interface ConfigSource {
  config<T>(fileName: string): Promise<T | null>;
}

export type LoadedConfig = ConfigResult & {
  /** Label that concerns us: the configured one, or a best guess when the file is invalid. */
  label: string;
};

/**
 * Reads `.github/codemonkeys.yml` with Probot's `context.config` (default branch; falls back to
 * the org's `.github` repository; honours `_extends`) and validates it. YAML that cannot be
 * parsed is a config problem; a GitHub API failure is a GITHUB_ERROR (retryable).
 */
export async function loadRepoConfig(source: ConfigSource): Promise<LoadedConfig> {
  let raw: unknown;
  try {
    raw = await source.config<unknown>(CONFIG_FILE);
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number') {
      throw new CodemonkeysError(
        'GITHUB_ERROR',
        `Reading .github/${CONFIG_FILE} failed (HTTP ${status}).`,
        {
          cause: error,
          details: { status },
        },
      );
    }
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? cause.message : 'the file is not a YAML mapping';
    return {
      ok: false,
      problems: [{ path: '(yaml)', message: `could not be parsed: ${detail}` }],
      label: DEFAULT_CONFIG.label,
    };
  }
  if (raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    return {
      ok: false,
      problems: [{ path: '(root)', message: 'must be a mapping of keys to values' }],
      label: DEFAULT_CONFIG.label,
    };
  }
  const result = parseRepoConfig(raw);
  if (result.ok) return { ...result, label: result.config.label };
  const rawLabel = (raw as { label?: unknown } | null)?.label;
  return {
    ...result,
    label: typeof rawLabel === 'string' && rawLabel.trim() !== '' ? rawLabel : DEFAULT_CONFIG.label,
  };
}
