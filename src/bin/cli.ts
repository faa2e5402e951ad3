/**
 * `codemonkeys` command line: `solve` runs the App's pipeline on a local repository (or a GitHub
 * snapshot) and writes patch.diff, pr.md and report.json; `doctor` checks what a run needs.
 * Exit codes: 0 selected (or doctor OK), 3 abstained, 1 failed / bad input / doctor problems.
 */
import { stat } from 'node:fs/promises';
import { setMaxListeners } from 'node:events';
import { parseArgs } from 'node:util';
import { createCliDeps } from '../deps.js';
import { formatDoctor, runDoctor } from '../delivery/doctor.js';
import { parseIssueRef, readIssueFile } from '../delivery/issue-input.js';
import { solveLocal } from '../delivery/solve-local.js';
import { DEMO_SAMPLES, getDemoTranscript, SCRIPTED_LABEL } from '../demo/transcript.js';
import { CodemonkeysError, toCodemonkeysError } from '../errors.js';
import { createTokenOctokit } from '../github/octokit.js';
import { ScriptedLlm } from '../llm/scripted.js';
import { createLogger } from '../logger.js';
import { getFailureMessage } from '../render/failure-message.js';

export const EXIT = { selected: 0, abstained: 3, failed: 1 } as const;

const USAGE = `Usage:
  codemonkeys solve --repo <path> --issue-file <file> [options]
  codemonkeys solve --issue <owner/repo#n> [--repo <path>] [options]   (needs GITHUB_TOKEN)
  codemonkeys doctor [--online]

solve options:
  --out <dir>              where patch.diff, pr.md and report.json go (default ./codemonkeys-out)
  --samples <n>            parallel samples (default: repo config, else 10)
  --sandbox docker|local   sandbox backend (default docker; local is UNSAFE, development only)
  --model <id>             primary model (default: repo config, else claude-sonnet-5-5)
  --dry-run                never write to GitHub (no pull request even with --issue)
  --redis <url>            keep checkpoints in Redis so an interrupted run resumes
The issue file is Markdown whose first line is "# Title", or JSON {"title": "...", "body": "..."}.`;

/** Bad input that is not about command syntax: said plainly, without the usage text. */
function inputError(message: string): CodemonkeysError {
  return new CodemonkeysError('CONFIG_INVALID', message, { retryable: false });
}

function envError(message: string): CodemonkeysError {
  return new CodemonkeysError('ENV_INVALID', message, { retryable: false });
}

function usageError(message: string): CodemonkeysError {
  return new CodemonkeysError('CONFIG_INVALID', `${message}\n\n${USAGE}`, { retryable: false });
}

async function assertDirectory(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw inputError(`repository path not found: ${path}`);
  if (!info.isDirectory()) throw inputError(`repository path is not a directory: ${path}`);
}

async function solve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      repo: { type: 'string' },
      'issue-file': { type: 'string' },
      issue: { type: 'string' },
      out: { type: 'string', default: './codemonkeys-out' },
      samples: { type: 'string' },
      sandbox: { type: 'string', default: 'docker' },
      model: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      redis: { type: 'string' },
      // Hidden: replies from a scripted transcript (tests, demo). Also CODEMONKEYS_SCRIPTED_TRANSCRIPT.
      scripted: { type: 'string' },
    },
    strict: true,
  });
  if (values['issue-file'] === undefined && values.issue === undefined)
    throw usageError('give --issue-file <file> or --issue <owner/repo#n>.');
  if (values['issue-file'] !== undefined && values.issue !== undefined)
    throw usageError('give either --issue-file or --issue, not both.');
  if (values.issue === undefined && values.repo === undefined)
    throw usageError('--repo <path> is required with --issue-file.');
  if (values.sandbox !== 'docker' && values.sandbox !== 'local')
    throw usageError(`--sandbox must be docker or local, got "${values.sandbox}".`);
  let samples: number | undefined;
  if (values.samples !== undefined) {
    samples = Number(values.samples);
    if (!Number.isInteger(samples) || samples < 1 || samples > 50)
      throw usageError('--samples must be a whole number from 1 to 50.');
  }
  const scripted = values.scripted ?? process.env.CODEMONKEYS_SCRIPTED_TRANSCRIPT;
  if (scripted !== undefined && scripted !== 'demo')
    throw usageError(`unknown scripted transcript "${scripted}" (only "demo" exists).`);
  const print = (line: string) => process.stderr.write(`${line}\n`);
  if (scripted !== undefined) print(`*** ${SCRIPTED_LABEL} ***`);
  if (values.sandbox === 'local')
    print(
      '*** WARNING: --sandbox local runs generated code as YOU, with network and file access. Development only. ***',
    );

  const issueRef = values.issue === undefined ? undefined : parseIssueRef(values.issue);
  const issue =
    values['issue-file'] === undefined ? undefined : await readIssueFile(values['issue-file']);
  const token = process.env.GITHUB_TOKEN ?? process.env.GH_TOKEN;
  if (issueRef !== undefined && (token === undefined || token === ''))
    throw envError('--issue needs a GITHUB_TOKEN (or GH_TOKEN) in the environment.');
  if (values.repo !== undefined) await assertDirectory(values.repo);
  if (scripted === undefined && !process.env.ANTHROPIC_API_KEY) {
    throw envError(
      'ANTHROPIC_API_KEY is not set: export your Anthropic API key (or try `npm run demo`, which needs none).',
    );
  }
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const deps = createCliDeps({
    sandbox: values.sandbox,
    logger,
    ...(scripted === undefined ? {} : { llm: new ScriptedLlm({ rules: getDemoTranscript() }) }),
    ...(process.env.ANTHROPIC_API_KEY === undefined
      ? {}
      : { anthropicApiKey: process.env.ANTHROPIC_API_KEY }),
    ...(process.env.ANTHROPIC_BASE_URL === undefined
      ? {}
      : { anthropicBaseUrl: process.env.ANTHROPIC_BASE_URL }),
    ...(values.redis === undefined ? {} : { redisUrl: values.redis }),
  });
  const controller = new AbortController();
  // Every sample and sandbox execution listens on the run's signal.
  setMaxListeners(1_000, controller.signal);
  const onSigint = () => {
    print('interrupted: stopping (press Ctrl-C again to force)');
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  try {
    const result = await solveLocal({
      ...(values.repo === undefined ? {} : { repoDir: values.repo }),
      ...(issue === undefined ? {} : { issue }),
      ...(issueRef === undefined ? {} : { issueRef }),
      ...(issueRef === undefined || token === undefined
        ? {}
        : { octokit: createTokenOctokit({ token }) }),
      outDir: values.out,
      deps,
      sandboxKind: values.sandbox,
      ...(samples === undefined ? {} : { samples }),
      ...(values.model === undefined ? {} : { model: values.model }),
      dryRun: values['dry-run'],
      ...(scripted === undefined
        ? {}
        : { scriptedLabel: SCRIPTED_LABEL, configOverrides: { samples: DEMO_SAMPLES.length } }),
      logger,
      print,
      signal: controller.signal,
    });
    const { report, files } = result;
    print('');
    print(
      `outcome: ${report.outcome}${report.outcomeReason === undefined ? '' : ` (${report.outcomeReason})`}`,
    );
    print(
      `cost: $${report.usage.total.usd.toFixed(4)} in ${report.usage.total.calls} model calls${scripted === undefined ? '' : ' (scripted: simulated)'}`,
    );
    print(`patch:  ${files.patch}`);
    print(`pr.md:  ${files.prBody}`);
    print(`report: ${files.report}`);
    if (result.pr !== undefined)
      print(`pull request: ${result.pr.url} (${result.pr.created ? 'opened' : 'updated'})`);
    return report.outcome === 'selected'
      ? EXIT.selected
      : report.outcome === 'abstained'
        ? EXIT.abstained
        : EXIT.failed;
  } finally {
    process.off('SIGINT', onSigint);
    await deps.close();
  }
}

async function doctor(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { online: { type: 'boolean', default: false } },
    strict: true,
  });
  const checks = await runDoctor({ env: process.env, online: values.online });
  process.stdout.write(`${formatDoctor(checks)}\n`);
  return checks.every((c) => c.ok || c.optional === true) ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'solve') return await solve(rest);
    if (command === 'doctor') return await doctor(rest);
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? EXIT.failed : 0;
    }
    throw usageError(`unknown command "${command}".`);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${(error as Error).message}\n\n${USAGE}\n`);
      return EXIT.failed;
    }
    const err = toCodemonkeysError(error, 'INTERNAL');
    if (err.code === 'CONFIG_INVALID' || err.code === 'ENV_INVALID') {
      process.stderr.write(`error: ${err.message}\n`);
    } else {
      const failure = getFailureMessage({
        code: err.code,
        message: err.message,
        details: err.details,
      });
      process.stderr.write(
        `error (${err.code}): ${err.message}\n${failure.reason}\nwhat to do: ${failure.action.replace(/`\/codemonkeys retry`/g, 'run the command again')}\n`,
      );
    }
    return EXIT.failed;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${String(error)}\n`);
    process.exitCode = EXIT.failed;
  },
);
