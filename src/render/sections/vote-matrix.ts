import type { CandidateRecord, EvaluationReport, TestRecord } from '../../pipeline/types.js';
import { escapeInline, table } from '../markdown.js';
import type { BodySection, PrBodyInput } from './types.js';

function cell(code: number | null | undefined): string {
  if (code === null || code === undefined) return '–';
  return code === 0 ? '✅' : `❌ ${code}`;
}

function originalCell(test: TestRecord): string {
  const code = test.original.timedOut ? 'timeout' : String(test.original.exitCode);
  return test.reproduces ? `🔁 ${code}` : code;
}

function candidateLabel(c: CandidateRecord, selectedId: number | undefined): string {
  const samples = c.sampleIndices.map((s) => `s${s}`).join(', ');
  return `${c.id === selectedId ? '⭐ ' : ''}**C${c.id}** (${samples})`;
}

/** Pure: the candidates x tests matrix as a Markdown table. */
export function renderMatrixTable(evaluation: EvaluationReport, selectedId?: number): string {
  const { tests, candidates } = evaluation;
  const header = ['Candidate', ...tests.map((t) => `T${t.id}`), 'Votes', 'Evidence', 'Diff lines'];
  const rows = candidates.map((c) => [
    candidateLabel(c, selectedId),
    ...tests.map((t) => cell(c.exitCodes[t.id])),
    String(c.votes),
    c.hasEvidence ? 'yes' : 'no',
    String(c.diffLines),
  ]);
  rows.push(['_original repo_', ...tests.map(originalCell), '', '', '']);
  return table(header, rows, ['l', ...tests.map(() => 'c' as const), 'r', 'c', 'r']);
}

function legend(evaluation: EvaluationReport): string {
  const reproducing = evaluation.tests.filter((t) => t.reproduces).map((t) => `T${t.id}`);
  const dropped = evaluation.dropped.map(
    (d) => `s${d.sampleIndex} (${escapeInline(d.reason, 120)})`,
  );
  const lines = [
    `✅ the test exits 0 with the candidate applied (one vote), ❌ n: it exits n, – not run. ` +
      `⭐ marks the selected candidate. Tn is the final test of sample n's trajectory; sN lists the samples that produced each candidate.`,
    '',
    reproducing.length > 0
      ? `Tests that reproduce the issue on the original repository (🔁, exit 2): ${reproducing.join(', ')}.`
      : 'No test exits 2 on the original repository, so none demonstrably reproduces the issue.',
    '',
    `Shortlist for selection (votes, then shorter diff): ${evaluation.shortlist.map((id) => `C${id}`).join(', ') || 'none'}. ` +
      `${evaluation.executions} sandbox executions.`,
  ];
  if (dropped.length > 0) lines.push('', `Dropped before voting: ${dropped.join('; ')}.`);
  return lines.join('\n');
}

/** The vote matrix with totals, reproduction markers and dropped candidates. */
export function renderMatrixSection(input: PrBodyInput): BodySection {
  const evaluation = input.report.evaluation;
  if (evaluation === undefined)
    return { id: 'matrix', full: '## Test votes\n\nNo evaluation was run.' };
  const selectedId = input.report.selected?.candidateId;
  const full = [
    '## Test votes',
    '',
    renderMatrixTable(evaluation, selectedId),
    '',
    legend(evaluation),
  ].join('\n');
  const totals = evaluation.candidates
    .map(
      (c) => `C${c.id}${c.id === selectedId ? ' ⭐' : ''}: ${c.votes}/${evaluation.tests.length}`,
    )
    .join(', ');
  const compact = `## Test votes\n\nVotes per candidate (tests passing with the edit): ${totals}.`;
  return { id: 'matrix', full, compact };
}
