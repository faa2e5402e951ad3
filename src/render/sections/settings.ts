import { details, escapeInline, formatTokens, formatUsd, inlineCode, table } from '../markdown.js';
import type { BodySection, PrBodyInput } from './types.js';

/** Models and settings used, the context stage in figures, and the prompt hashes. */
export function renderSettingsSection(input: PrBodyInput): BodySection {
  const { settings, context, prompts } = input.report;
  const rows: string[][] = [
    [
      'Primary model',
      inlineCode(`${input.scripted === true ? 'scripted:' : ''}${settings.models.primary}`),
    ],
    [
      'Relevance model',
      inlineCode(`${input.scripted === true ? 'scripted:' : ''}${settings.models.relevance}`),
    ],
    ['Samples', String(settings.samples)],
    ['Model calls per state machine', String(settings.maxAttempts)],
    ['Ranking calls', String(settings.rankings)],
    ['Candidates kept for selection', String(settings.topK)],
    ['Context budget', `${formatTokens(settings.budgetTokens)} tokens`],
    ['Budget per run', formatUsd(settings.maxUsdPerRun)],
    ['Sandbox', `${settings.sandboxKind}, ${inlineCode(settings.sandboxImage)}`],
  ];
  const lines = ['## Models and settings', '', table(['Setting', 'Value'], rows)];
  if (context !== undefined) {
    const fallback =
      context.fallback === undefined
        ? ''
        : ` Fallback used: ${escapeInline(context.fallback, 300)}.`;
    lines.push(
      '',
      `Context: ${context.scanned} files scanned, ${context.relevant.length} judged relevant, ` +
        `${context.packed.length} packed (${formatTokens(context.packedTokens)} tokens).${fallback}`,
    );
  }
  const hashRows = Object.entries(prompts).map(([name, hash]) => [
    inlineCode(name),
    inlineCode(hash),
  ]);
  if (hashRows.length > 0)
    lines.push('', details('Prompt template hashes', table(['Template', 'sha256 (16)'], hashRows)));
  const compact = `## Models and settings\n\n${escapeInline(settings.models.primary)} / ${escapeInline(settings.models.relevance)}, ${settings.samples} samples.`;
  return { id: 'settings', full: lines.join('\n'), compact };
}
