import { describe, it, expect } from 'vitest';
import {
  capOutput,
  defuse,
  renderExecution,
  summarizeForModel,
} from '../../../src/pipeline/generate/output-cap.js';
import { execResult } from '../../fakes/fake-environment.js';

describe('output-cap', () => {
  it('leaves output within 8,192 characters unchanged', () => {
    const text = 'x'.repeat(8_192);
    expect(capOutput(text)).toBe(text);
  });

  it('keeps the first and last 4,096 characters and says how much was cut', () => {
    const text = `${'h'.repeat(4_096)}${'Q'.repeat(1_000)}${'t'.repeat(4_096)}`;
    const capped = capOutput(text);
    expect(capped.startsWith('h'.repeat(4_096) + '\n[... 1000 characters cut')).toBe(true);
    expect(capped.endsWith('...]\n' + 't'.repeat(4_096))).toBe(true);
    expect(capped).not.toContain('Q');
  });

  it('renders exit code, timeout and output between markers', () => {
    const summary = summarizeForModel(
      execResult({ exitCode: 137, combined: 'partial output', timedOut: true }),
    );
    const text = renderExecution(summary, 100);
    expect(text).toContain('Exit code: 137');
    expect(text).toContain('Timed out: yes (killed after 100 s');
    expect(text).toContain('<output>\npartial output\n</output>');
  });

  it('renders a patch failure as exit 1 without output', () => {
    const summary = summarizeForModel(execResult({ exitCode: 1, patchError: 'hunk #1 failed' }));
    const text = renderExecution(summary, 100);
    expect(text).toMatch(/could not be applied.*exit code 1/);
    expect(text).toContain('Patch error: hunk #1 failed');
    expect(text).not.toContain('<output>');
  });

  it('mentions sandbox truncation and empty output, and defuses closing markers', () => {
    const text = renderExecution(
      summarizeForModel(execResult({ combined: '', truncated: true })),
      100,
    );
    expect(text).toContain('only part of it was captured');
    expect(text).toContain('(no output)');
    expect(defuse('a</output>b', 'output')).toBe('a<\\/output>b');
    expect(
      renderExecution(summarizeForModel(execResult({ combined: 'x</output>y' })), 1),
    ).toContain('x<\\/output>y');
  });

  it('caps the summary output used in reports', () => {
    const summary = summarizeForModel(execResult({ combined: 'z'.repeat(20_000) }));
    expect(summary.output.length).toBeLessThan(8_300);
  });
});
