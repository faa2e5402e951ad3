import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunReport } from '../pipeline/types.js';
import { renderAbstentionSummary } from '../render/abstention-summary.js';
import { renderPrBody } from '../render/pr-body.js';

export interface OutputFiles {
  dir: string;
  patch: string;
  prBody: string;
  report: string;
}

export interface WriteOutputsInput {
  report: RunReport;
  issueTitle: string;
  /** Set when the replies were scripted: written into pr.md and report.json. */
  scriptedLabel?: string;
  requestedBy?: string;
}

/** What `pr.md` holds: the PR body when selected, the abstention summary otherwise. */
export function getPrMarkdown(input: WriteOutputsInput): string {
  const { report } = input;
  const scripted = input.scriptedLabel !== undefined;
  if (report.outcome === 'selected') {
    return renderPrBody({
      report,
      issueTitle: input.issueTitle,
      ...(scripted ? { scripted: true } : {}),
      ...(input.requestedBy === undefined ? {} : { requestedBy: input.requestedBy }),
    });
  }
  const banner = scripted ? `> [!WARNING]\n> **${input.scriptedLabel}.**\n\n` : '';
  return `${banner}# No pull request (${report.outcome})\n\n${renderAbstentionSummary(report)}\n`;
}

/** Writes patch.diff, pr.md and report.json into `dir` (created if needed). */
export async function writeOutputs(dir: string, input: WriteOutputsInput): Promise<OutputFiles> {
  const out = resolve(dir);
  await mkdir(out, { recursive: true });
  const files: OutputFiles = {
    dir: out,
    patch: join(out, 'patch.diff'),
    prBody: join(out, 'pr.md'),
    report: join(out, 'report.json'),
  };
  const reportJson =
    input.scriptedLabel === undefined
      ? input.report
      : { scriptedTranscript: input.scriptedLabel, ...input.report };
  await writeFile(files.patch, input.report.selected?.diff ?? '');
  await writeFile(files.prBody, getPrMarkdown(input));
  await writeFile(files.report, `${JSON.stringify(reportJson, null, 2)}\n`);
  return files;
}
