import type { RunStage, UsageTotals } from '../pipeline/types.js';
import type { StatusState } from './status-state.js';

/** Hidden marker that identifies the one sticky status comment of an issue. */
export const STATUS_MARKER = '<!-- codemonkeys:status -->';

const STAGE_LABELS: Record<RunStage, string> = {
  queued: 'Queued',
  preparing: 'Preparing the environment',
  context: 'Finding relevant code',
  generating: 'Generating candidates',
  evaluating: 'Voting with generated tests',
  selecting: 'Selecting the best candidate',
  delivering: 'Opening the pull request',
  done: 'Done',
};

const PHASE_HEADLINES: Record<StatusState['phase'], string> = {
  queued: ':hourglass_flowing_sand: **Queued**',
  running: ':gear: **Working on it**',
  done: ':white_check_mark: **Done**',
  abstained: ':person_shrugging: **No convincing fix found**',
  failed: ':x: **Failed**',
  cancelled: ':no_entry_sign: **Cancelled**',
};

/**
 * Escapes untrusted text (error messages, stage details, logins) for inline Markdown: no HTML,
 * no links or images, no @-mentions that would ping people, no code spans, one line.
 */
export function escapeInline(text: string, maxLength = 300): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ').trim();
  const capped = oneLine.length > maxLength ? `${oneLine.slice(0, maxLength - 1)}…` : oneLine;
  return capped
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1')
    .replace(/@/g, '@\u200b');
}

/** Human duration such as `4m 05s` or `1h 02m`. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

function formatTokens(usage: UsageTotals): string {
  const t = usage.total;
  const tokens = t.inputTokens + t.cacheWriteTokens + t.cacheReadTokens + t.outputTokens;
  return `${tokens.toLocaleString('en-US')} tokens, $${t.usd.toFixed(2)} (${t.calls} model calls)`;
}

function elapsedLine(state: StatusState, now: number): string | undefined {
  if (state.startedAt === undefined) return undefined;
  const start = Date.parse(state.startedAt);
  if (Number.isNaN(start)) return undefined;
  const end = state.finishedAt === undefined ? now : Date.parse(state.finishedAt);
  return formatElapsed((Number.isNaN(end) ? now : end) - start);
}

function progressLines(state: StatusState, now: number): string[] {
  const lines: string[] = [];
  if (state.phase === 'queued' && state.queuePosition !== undefined) {
    lines.push(
      state.queuePosition === 0
        ? '- Position: next in line'
        : `- Position: ${state.queuePosition} run${state.queuePosition === 1 ? '' : 's'} ahead`,
    );
  }
  if (state.stage !== undefined && state.phase === 'running') {
    lines.push(`- Stage: ${STAGE_LABELS[state.stage]}`);
  }
  if (state.stage !== undefined && state.phase === 'failed') {
    lines.push(`- Failed during: ${STAGE_LABELS[state.stage]}`);
  }
  if (state.detail !== undefined && state.detail !== '') {
    lines.push(`- Detail: ${escapeInline(state.detail)}`);
  }
  if (state.samplesTotal !== undefined) {
    lines.push(`- Samples: ${state.samplesDone ?? 0}/${state.samplesTotal}`);
  }
  const elapsed = elapsedLine(state, now);
  if (elapsed !== undefined) lines.push(`- Elapsed: ${elapsed}`);
  if (state.usage !== undefined) lines.push(`- Cost so far: ${formatTokens(state.usage)}`);
  return lines;
}

/**
 * Renders the sticky status comment. Pure: the same state and `now` always give the same text.
 * Untrusted text is escaped here; `summaryMarkdown` is trusted (the caller escaped it).
 */
export function renderStatusComment(state: StatusState, now: number = Date.now()): string {
  const parts: string[] = [STATUS_MARKER, `### codemonkeys · ${PHASE_HEADLINES[state.phase]}`, ''];
  const by =
    state.requestedBy === undefined ? '' : ` · requested by ${escapeInline(state.requestedBy, 40)}`;
  parts.push(`Run \`${state.runId.replace(/`/g, '')}\`${by}`, '');
  parts.push(...progressLines(state, now));
  if (state.prUrl !== undefined && /^https:\/\/[^\s)]+$/.test(state.prUrl)) {
    parts.push('', `Pull request: ${state.prUrl}`);
  }
  if (state.phase === 'failed' && state.failure !== undefined) {
    parts.push(
      '',
      `**Why:** ${escapeInline(state.failure.reason, 500)} (\`${state.failure.code.replace(/[^A-Z0-9_]/g, '')}\`)`,
      // The action is our own wording (render/failure-message.ts), never untrusted text: it is
      // rendered as Markdown so its code spans show as code.
      `**What to do:** ${state.failure.action.replace(/\s+/g, ' ').slice(0, 500)}`,
    );
  }
  if (state.summaryMarkdown !== undefined && state.summaryMarkdown !== '') {
    parts.push('', state.summaryMarkdown);
  }
  parts.push('', footerFor(state));
  return `${parts.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

function footerFor(state: StatusState): string {
  if (state.phase === 'queued' || state.phase === 'running') {
    return '<sub>Comment `/codemonkeys cancel` or remove the label to stop this run; `/codemonkeys status` for details.</sub>';
  }
  if (state.phase === 'failed' || state.phase === 'cancelled') {
    return '<sub>Comment `/codemonkeys retry` to resume this run from its last checkpoint.</sub>';
  }
  return '<sub>Comment `/codemonkeys retry` or re-apply the label to start a new run.</sub>';
}
