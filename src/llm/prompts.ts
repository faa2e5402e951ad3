import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CodemonkeysError } from '../errors.js';
import { PROMPT_SPECS, type PromptName } from './prompt-specs.js';

/** Placeholders look like `{{issue}}`: lower case, digits and underscores. */
const PLACEHOLDER = /\{\{([a-z][a-z0-9_]*)\}\}/g;

export const DEFAULT_PROMPTS_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'prompts',
);

export interface PromptSet {
  /** Fills a template; every declared placeholder must be given, and nothing else. */
  render(name: PromptName, vars: Record<string, string | number>): string;
  /** sha256 (first 16 hex chars) of every template, recorded in each run report. */
  readonly hashes: Readonly<Record<string, string>>;
}

function placeholdersOf(text: string): Set<string> {
  return new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string));
}

/**
 * Loads and checks every template at start: a missing file, a placeholder the code does not
 * supply, or a declared placeholder the template never uses is an error naming the file.
 */
export function loadPrompts(
  dir: string = DEFAULT_PROMPTS_DIR,
  specs: Readonly<Record<string, readonly string[]>> = PROMPT_SPECS,
): PromptSet {
  const problems: string[] = [];
  const templates = new Map<string, string>();
  const hashes: Record<string, string> = {};
  let available: string[];
  try {
    available = readdirSync(dir);
  } catch (error) {
    throw new CodemonkeysError('PROMPT_INVALID', `prompts directory ${dir} cannot be read`, {
      cause: error,
    });
  }
  for (const [name, declared] of Object.entries(specs)) {
    const file = `${name}.md`;
    if (!available.includes(file)) {
      problems.push(`${file}: missing`);
      continue;
    }
    const text = readFileSync(join(dir, file), 'utf8');
    const used = placeholdersOf(text);
    for (const p of used)
      if (!declared.includes(p)) problems.push(`${file}: unknown placeholder {{${p}}}`);
    for (const p of declared)
      if (!used.has(p)) problems.push(`${file}: placeholder {{${p}}} is never used`);
    templates.set(name, text);
    hashes[name] = createHash('sha256').update(text).digest('hex').slice(0, 16);
  }
  if (problems.length > 0) {
    throw new CodemonkeysError(
      'PROMPT_INVALID',
      `invalid prompt templates:\n- ${problems.join('\n- ')}`,
      {
        details: { problems },
      },
    );
  }
  return {
    hashes,
    render(name, vars) {
      const text = templates.get(name);
      const declared = specs[name];
      if (text === undefined || declared === undefined) {
        throw new CodemonkeysError('PROMPT_INVALID', `unknown prompt template ${name}`);
      }
      const given = Object.keys(vars);
      const missing = declared.filter((p) => !(p in vars));
      const extra = given.filter((p) => !declared.includes(p));
      if (missing.length > 0 || extra.length > 0) {
        throw new CodemonkeysError(
          'PROMPT_INVALID',
          `prompt ${name}: missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]`,
        );
      }
      // Single pass: substituted values are never re-scanned, so untrusted text containing
      // `{{...}}` cannot inject another placeholder.
      return text.replace(PLACEHOLDER, (_m, p: string) => String(vars[p]));
    },
  };
}
