import { getTestArgv, type RepoConfig } from '../../config/repo-config.js';
import type { Environment } from '../../sandbox/types.js';
import type { ExecSummary } from '../types.js';
import { summarizeForModel } from './output-cap.js';

/**
 * Runs a generated test script in the sandbox: written to the scratch directory as
 * `reproduce_<sample><ext>`, started with the repo config's test command (argv, no shell), with the
 * state-machine timeout. A patch that does not apply comes back as a result with `patchError`
 * (exit 1), never as an exception; other sandbox failures propagate.
 */
export interface ScriptRunner {
  run(script: string, patch?: string): Promise<ExecSummary>;
}

/** A script as the model wrote it inside <test>: leading blank lines dropped, one final newline. */
export function normalizeScript(body: string): string {
  const text = body
    .replace(/\r\n?/g, '\n')
    .replace(/^(?:[ \t]*\n)+/, '')
    .replace(/\s+$/, '');
  return `${text}\n`;
}

export function getScriptFileName(config: RepoConfig, sampleIndex: number): string {
  return `reproduce_${sampleIndex}${config.sandbox.test.extension}`;
}

export function createScriptRunner(
  env: Environment,
  config: RepoConfig,
  sampleIndex: number,
  signal?: AbortSignal,
): ScriptRunner {
  const name = getScriptFileName(config, sampleIndex);
  return {
    async run(script, patch) {
      const result = await env.run({
        files: { [name]: script },
        argv: getTestArgv(config, `${env.scratchDir}/${name}`),
        timeoutMs: config.sandbox.timeouts.executionSeconds * 1000,
        outputCapBytes: config.sandbox.outputCapBytes,
        ...(patch === undefined ? {} : { patch }),
        ...(signal === undefined ? {} : { signal }),
      });
      return summarizeForModel(result);
    },
  };
}
