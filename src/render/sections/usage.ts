import { STAGES } from '../../llm/client.js';
import type { RunReport, RunStage, UsageTotals } from '../../pipeline/types.js';
import { formatDuration, formatTokens, formatUsd, table } from '../markdown.js';
import type { BodySection, PrBodyInput } from './types.js';

const TIMED_STAGES: RunStage[] = [
  'preparing',
  'context',
  'generating',
  'evaluating',
  'selecting',
  'delivering',
];

/** Per model stage: calls, tokens (uncached / cache write / cache read / output) and dollars. */
export function renderUsageTable(usage: UsageTotals): string {
  const row = (name: string, u: UsageTotals['total']) => [
    name,
    String(u.calls),
    formatTokens(u.inputTokens),
    formatTokens(u.cacheWriteTokens),
    formatTokens(u.cacheReadTokens),
    formatTokens(u.outputTokens),
    formatUsd(u.usd),
  ];
  const rows = STAGES.filter((s) => usage.byStage[s].calls > 0).map((s) =>
    row(s, usage.byStage[s]),
  );
  rows.push(row('**total**', usage.total));
  return table(
    ['Model stage', 'Calls', 'Input', 'Cache write', 'Cache read', 'Output', 'Cost'],
    rows,
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

function renderTimeTable(report: RunReport): string {
  const ex = report.executions;
  const executionsOf: Partial<Record<RunStage, number>> = {
    generating: (ex.testing ?? 0) + (ex.editing ?? 0),
    ...(ex.evaluating === undefined ? {} : { evaluating: ex.evaluating }),
    ...(ex.selecting === undefined ? {} : { selecting: ex.selecting }),
  };
  const rows = TIMED_STAGES.filter((s) => report.durations[s] !== undefined).map((s) => [
    s,
    formatDuration(report.durations[s] ?? 0),
    executionsOf[s] === undefined ? '' : String(executionsOf[s]),
  ]);
  const total = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  if (Number.isFinite(total)) rows.push(['**total**', formatDuration(total), '']);
  return table(['Run stage', 'Wall time', 'Sandbox runs'], rows, ['l', 'r', 'r']);
}

/** Cost, tokens and time per stage. */
export function renderUsageSection(input: PrBodyInput): BodySection {
  const { report } = input;
  const budget = report.budgetExhausted;
  const lines = [
    '## Cost and time',
    '',
    renderUsageTable(report.usage),
    '',
    renderTimeTable(report),
  ];
  if (budget !== undefined) {
    lines.push(
      '',
      `The ${formatUsd(budget.limitUsd)} budget was reached during ${budget.stage}; later work in that stage was skipped.`,
    );
  }
  if (input.scripted === true)
    lines.push('', '_Scripted run: token counts are simulated and no money was spent._');
  const compact = `## Cost and time\n\n${formatUsd(report.usage.total.usd)}, ${report.usage.total.calls} model calls.`;
  return { id: 'usage', full: lines.join('\n'), compact };
}
