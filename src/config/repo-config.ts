import { z } from 'zod';
import { parse as parseYaml, YAMLParseError } from 'yaml';

/**
 * `.github/codemonkeys.yml`: every key optional, every default sensible. Unknown keys are errors
 * (a typo must not silently fall back to a default). See schema/codemonkeys.schema.json for editors.
 */
const glob = z.string().min(1, { error: 'must be a non-empty glob' });
const modelId = z
  .string()
  .regex(/^[a-zA-Z0-9._:\-/]+$/, { error: 'must be a model id such as claude-sonnet-5-5' });

export const DEFAULT_INCLUDE = [
  '**/*.{py,pyi,js,jsx,mjs,cjs,ts,tsx,mts,cts,go,rs,java,kt,kts,scala,rb,php,cs,fs,c,h,cc,cpp,cxx,hpp,hh,m,mm,swift,ex,exs,erl,hs,ml,mli,clj,lua,pl,pm,r,jl,dart,sh,bash,sql,vue,svelte}',
  '**/{Makefile,Dockerfile,CMakeLists.txt}',
  '**/*.{toml,cfg,ini,yaml,yml,json}',
] as const;

export const priceSchema = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cacheWrite: z.number().nonnegative(),
  cacheRead: z.number().nonnegative(),
});
export type Price = z.infer<typeof priceSchema>;

const seconds = (def: number, max: number) => z.number().int().positive().max(max).default(def);

export const repoConfigSchema = z.strictObject({
  /** Label that starts a run. */
  label: z.string().min(1).max(50).default('codemonkeys'),
  /** Minimum repository permission of the user who labels or comments. */
  permission: z.enum(['write', 'maintain', 'admin']).default('write'),
  /** Independent parallel samples (the paper's N). */
  samples: z.number().int().min(1).max(50).default(10),
  /** Model calls per state machine, format fixes included. */
  maxAttempts: z.number().int().min(1).max(30).default(8),
  /** Candidates kept for selection. */
  topK: z.number().int().min(1).max(10).default(3),
  /** Ranking calls merged in the context stage. */
  rankings: z.number().int().min(1).max(10).default(3),
  /** Skip the selection model when one candidate has strictly more votes than all others. */
  skipSelectionOnClearWinner: z.boolean().default(false),
  models: z
    .strictObject({
      primary: modelId.default('claude-sonnet-5-5'),
      relevance: modelId.default('claude-haiku-5-5'),
    })
    .prefault({}),
  /** Per-model price overrides in USD per million tokens. */
  prices: z.record(modelId, priceSchema).default({}),
  context: z
    .strictObject({
      include: z
        .array(glob)
        .max(200)
        .default([...DEFAULT_INCLUDE]),
      exclude: z.array(glob).max(200).default([]),
      maxFileBytes: z.number().int().positive().max(10_000_000).default(400_000),
      maxFiles: z.number().int().positive().max(100_000).default(20_000),
      budgetTokens: z.number().int().min(1_000).max(180_000).default(128_000),
      relevanceConcurrency: z.number().int().min(1).max(64).default(8),
      /** Use the Message Batches API (half price, slower) for the relevance scan. */
      batch: z.boolean().default(false),
    })
    .prefault({}),
  sandbox: z
    .strictObject({
      image: z.string().min(1).default('codemonkeys/sandbox-base:bookworm'),
      /** Run once per run, in order, with network, in the repository directory. */
      setup: z.array(z.string().min(1)).max(50).default([]),
      workdir: z
        .string()
        .regex(/^\/[a-zA-Z0-9._\-/]*$/, { error: 'must be an absolute path without spaces' })
        .default('/workspace/repo'),
      test: z
        .strictObject({
          /** Command that runs a generated test; `{file}` is replaced by the script's path. */
          command: z
            .string()
            .min(1)
            .refine((c) => c.includes('{file}'), { error: 'must contain the {file} placeholder' })
            .default('python3 {file}'),
          extension: z
            .string()
            .regex(/^\.[a-zA-Z0-9]+$/, { error: 'must look like .py or .js' })
            .default('.py'),
          /** Language named in prompts. */
          language: z.string().min(1).max(40).default('Python'),
        })
        .prefault({}),
      timeouts: z
        .strictObject({
          setupSeconds: seconds(900, 7_200),
          executionSeconds: seconds(100, 3_600),
          votingSeconds: seconds(600, 7_200),
        })
        .prefault({}),
      cpus: z.number().positive().max(64).default(1),
      memoryMb: z.number().int().min(64).max(65_536).default(2_048),
      pids: z.number().int().min(16).max(65_536).default(512),
      outputCapBytes: z
        .number()
        .int()
        .min(1_024)
        .max(64 * 1024 * 1024)
        .default(1024 * 1024),
      concurrency: z.number().int().min(1).max(64).default(4),
      /** Optional OCI runtime such as runsc (gVisor); must be registered with the engine. */
      runtime: z.string().min(1).optional(),
    })
    .prefault({}),
  budget: z
    .strictObject({
      maxUsdPerRun: z.number().positive().max(10_000).default(20),
    })
    .prefault({}),
  pr: z
    .strictObject({
      draft: z.boolean().default(true),
      branchPrefix: z
        .string()
        .regex(/^[a-zA-Z0-9._\-/]*$/, { error: 'may contain letters, digits, . _ - and /' })
        .default('codemonkeys/'),
      commitTests: z.boolean().default(false),
      labels: z.array(z.string().min(1)).max(20).default([]),
      reviewers: z.array(z.string().min(1)).max(20).default([]),
    })
    .prefault({}),
});

export type RepoConfig = z.infer<typeof repoConfigSchema>;

export interface ConfigProblem {
  /** Dotted key path such as `sandbox.timeouts.setupSeconds`, or `(root)`. */
  path: string;
  message: string;
}

export type ConfigResult =
  { ok: true; config: RepoConfig } | { ok: false; problems: ConfigProblem[] };

/** Validates an already-parsed config object (null/undefined means "no file": all defaults). */
export function parseRepoConfig(raw: unknown): ConfigResult {
  const parsed = repoConfigSchema.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, config: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: path === '(root)' ? key : `${path}.${key}`,
        message: 'unknown key',
      }));
    }
    return [{ path, message: issue.message }];
  });
  return { ok: false, problems: problems.flat() };
}

/** Parses YAML text then validates it. YAML syntax errors are reported as problems too. */
export function parseRepoConfigYaml(text: string): ConfigResult {
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    const message = error instanceof YAMLParseError ? error.message : String(error);
    return { ok: false, problems: [{ path: '(yaml)', message: `invalid YAML: ${message}` }] };
  }
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    return {
      ok: false,
      problems: [{ path: '(root)', message: 'must be a mapping of keys to values' }],
    };
  }
  return parseRepoConfig(raw);
}

export const DEFAULT_CONFIG: RepoConfig = repoConfigSchema.parse({});

/** Splits the test command template into argv (no shell) and substitutes the script path. */
export function getTestArgv(config: RepoConfig, scriptPath: string): string[] {
  return config.sandbox.test.command
    .trim()
    .split(/\s+/)
    .map((part) => part.split('{file}').join(scriptPath));
}
