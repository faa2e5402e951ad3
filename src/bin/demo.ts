/**
 * `npm run demo`: the whole pipeline on examples/demo-repo (a tiny Python library with an
 * off-by-one) in real sandboxes, with a SCRIPTED model transcript (no API key, no cost).
 * Docker when available, otherwise the local backend with a loud warning.
 */
import { setMaxListeners } from 'node:events';
import Docker from 'dockerode';
import { DEFAULT_CONFIG } from '../config/repo-config.js';
import { createCliDeps } from '../deps.js';
import { readIssueFile } from '../delivery/issue-input.js';
import { solveLocal } from '../delivery/solve-local.js';
import {
  DEMO_ISSUE_FILE,
  DEMO_REPO_DIR,
  DEMO_SAMPLES,
  getDemoTranscript,
  SCRIPTED_LABEL,
} from '../demo/transcript.js';
import { toCodemonkeysError } from '../errors.js';
import { ScriptedLlm } from '../llm/scripted.js';
import { createLogger } from '../logger.js';
import { getFailureMessage } from '../render/failure-message.js';

const out = process.argv[2] ?? './demo-output';
const print = (line: string) => process.stdout.write(`${line}\n`);

async function dockerAvailable(): Promise<string | undefined> {
  const docker = new Docker();
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_r, reject) => setTimeout(() => reject(new Error('timeout')), 3_000).unref()),
    ]);
  } catch {
    return 'the Docker engine is not reachable';
  }
  const image = DEFAULT_CONFIG.sandbox.image;
  return docker
    .getImage(image)
    .inspect()
    .then(
      () => undefined,
      () => `the sandbox image ${image} is missing (npm run sandbox:image)`,
    );
}

async function main(): Promise<number> {
  const banner = '='.repeat(SCRIPTED_LABEL.length + 8);
  print(banner);
  print(`=== ${SCRIPTED_LABEL} ===`);
  print(banner);
  const missing = await dockerAvailable();
  const sandboxKind = missing === undefined ? 'docker' : 'local';
  if (missing !== undefined) {
    print('');
    print(
      `!!! WARNING: ${missing}. Falling back to the LOCAL sandbox: the demo's generated code runs as you,`,
    );
    print(
      '!!! with your network and files. It is the bundled demo code only, but never use --sandbox local for real issues.',
    );
    print('');
  }
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'error' });
  const deps = createCliDeps({
    sandbox: sandboxKind,
    logger,
    llm: new ScriptedLlm({ rules: getDemoTranscript() }),
  });
  const controller = new AbortController();
  setMaxListeners(1_000, controller.signal);
  process.once('SIGINT', () => controller.abort());
  const started = Date.now();
  try {
    const result = await solveLocal({
      repoDir: DEMO_REPO_DIR,
      issue: await readIssueFile(DEMO_ISSUE_FILE),
      outDir: out,
      deps,
      sandboxKind,
      configOverrides: { samples: DEMO_SAMPLES.length },
      dryRun: true,
      scriptedLabel: SCRIPTED_LABEL,
      logger,
      print,
      signal: controller.signal,
    });
    const { report, files } = result;
    print('');
    print(
      `outcome: ${report.outcome} in ${((Date.now() - started) / 1000).toFixed(1)} s (${sandboxKind} sandboxes, scripted model)`,
    );
    const evaluation = report.evaluation;
    if (evaluation !== undefined) {
      for (const c of evaluation.candidates) {
        print(
          `  candidate C${c.id} from samples ${c.sampleIndices.join(', ')}: ${c.votes}/${evaluation.tests.length} votes${c.id === report.selected?.candidateId ? '  <- selected' : ''}`,
        );
      }
    }
    print('');
    print(`PR description: ${files.prBody}`);
    print(`patch:          ${files.patch}`);
    print(`run report:     ${files.report}`);
    print(`(all three are labelled as coming from a scripted transcript)`);
    return report.outcome === 'selected' ? 0 : report.outcome === 'abstained' ? 3 : 1;
  } catch (error) {
    const err = toCodemonkeysError(error);
    const failure = getFailureMessage({
      code: err.code,
      message: err.message,
      details: err.details,
    });
    print(`demo failed (${err.code}): ${err.message}\n${failure.reason}\n${failure.action}`);
    return 1;
  } finally {
    await deps.close();
  }
}

main().then((code) => {
  process.exitCode = code;
});
