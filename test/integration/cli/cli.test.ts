import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ...env,
  };
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [join(cwd, 'bin/codemonkeys.js'), ...args],
      {
        cwd,
        env: childEnv,
        timeout: 170_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    };
  }
}

/**
 * The CLI from a fresh clone of the committed tree (node_modules linked in): `codemonkeys solve`
 * on the bundled demo repository, real Docker sandboxes, the scripted demo transcript, --dry-run.
 */
describe('bin/codemonkeys (cli)', () => {
  let work: string;
  let clone: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cm-cli-'));
    clone = join(work, 'clone');
    await execFileAsync('git', ['clone', '--quiet', '--depth', '1', `file://${ROOT}`, clone]);
    await symlink(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
  }, 60_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('solves the demo issue and writes patch.diff, pr.md and report.json', async () => {
    const out = join(work, 'out');
    const run = await cli(
      clone,
      [
        'solve',
        '--repo',
        'examples/demo-repo',
        '--issue-file',
        'examples/demo-issue.md',
        '--dry-run',
        '--out',
        out,
      ],
      {
        CODEMONKEYS_SCRIPTED_TRANSCRIPT: 'demo',
      },
    );
    expect(run.stderr).toContain('SCRIPTED DEMO TRANSCRIPT');
    expect(run.stderr).toMatch(/generating 4\/4/);
    expect(run.code).toBe(0);
    const patch = await readFile(join(out, 'patch.diff'), 'utf8');
    expect(patch).toContain('+    return (total + per_page - 1) // per_page');
    const pr = await readFile(join(out, 'pr.md'), 'utf8');
    expect(pr).toContain('Scripted demo run');
    expect(pr).toContain('## Test votes');
    expect(pr).toMatch(/⭐ \*\*C0\*\* \(s0, s2, s3\) \| ✅ \| ✅ \| ✅ \| ✅ \| 4/);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as {
      scriptedTranscript?: string;
      outcome: string;
      selected?: { evidence?: { original: { exitCode: number }; edited: { exitCode: number } } };
    };
    expect(report.scriptedTranscript).toContain('SCRIPTED');
    expect(report.outcome).toBe('selected');
    expect(report.selected?.evidence?.original.exitCode).toBe(2);
    expect(report.selected?.evidence?.edited.exitCode).toBe(0);
  }, 180_000);

  it('explains bad input with exit code 1', async () => {
    const missing = await cli(clone, [
      'solve',
      '--repo',
      'no/such/dir',
      '--issue-file',
      'examples/demo-issue.md',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('repository path not found: no/such/dir');
    const notDir = await cli(clone, [
      'solve',
      '--repo',
      'examples/demo-issue.md',
      '--issue-file',
      'examples/demo-issue.md',
    ]);
    expect(notDir.stderr).toContain('repository path is not a directory');
    const noIssue = await cli(
      clone,
      ['solve', '--repo', 'examples/demo-repo', '--issue-file', 'nope.md'],
      { CODEMONKEYS_SCRIPTED_TRANSCRIPT: 'demo' },
    );
    expect(noIssue.code).toBe(1);
    expect(noIssue.stderr).toContain('issue file not found: nope.md');
    const noKey = await cli(clone, [
      'solve',
      '--repo',
      'examples/demo-repo',
      '--issue-file',
      'examples/demo-issue.md',
    ]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('ANTHROPIC_API_KEY is not set');
    const unknown = await cli(clone, ['solve', '--frobnicate']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Unknown option '--frobnicate'");
    const noGh = await cli(clone, ['solve', '--issue', 'acme/lib#3'], {
      CODEMONKEYS_SCRIPTED_TRANSCRIPT: 'demo',
    });
    expect(noGh.stderr).toContain('needs a GITHUB_TOKEN');
  }, 120_000);
});
