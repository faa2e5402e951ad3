import { escapeInline, inlineCode } from '../markdown.js';
import type { BodySection, PrBodyInput } from './types.js';

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;

/** Opening lines: what this PR is, "Fixes #n", who asked, and warnings a reviewer must see first. */
export function renderHeaderSection(input: PrBodyInput): BodySection {
  const { report } = input;
  const lines: string[] = [];
  if (input.scripted === true) {
    lines.push(
      '> [!WARNING]',
      '> **Scripted demo run.** Every model reply in this run came from a scripted transcript, not from a model.',
      '',
    );
  }
  const title = input.issueTitle === undefined ? '' : `: ${escapeInline(input.issueTitle, 200)}`;
  lines.push(`Fixes #${report.issueNumber}`, '');
  lines.push(
    `CodeMonkeys generated ${report.samples.length} candidate fixes for issue #${report.issueNumber}${title}, ` +
      'voted on them with the tests it wrote, and selected the edit below. Review it like any other contribution.',
  );
  if (input.requestedBy !== undefined && LOGIN.test(input.requestedBy)) {
    lines.push('', `Requested by @${input.requestedBy}.`);
  }
  if (input.baseMoved !== undefined) {
    lines.push(
      '',
      `> [!NOTE]`,
      `> ${escapeInline(input.baseMoved.branch)} moved to ${inlineCode(input.baseMoved.currentHead.slice(0, 12))} while this run was going. ` +
        `This branch starts from the commit the run analysed, ${inlineCode(report.baseCommit.slice(0, 12))}; rebase it if the change still applies.`,
    );
  }
  return { id: 'header', full: lines.join('\n') };
}
