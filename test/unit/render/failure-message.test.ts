import { describe, it, expect } from 'vitest';
import { getFailureMessage } from '../../../src/render/failure-message.js';
import { ERROR_CODES } from '../../../src/errors.js';

describe('render/failure-message', () => {
  it('has a reason and an action for every error code', () => {
    for (const code of ERROR_CODES) {
      const failure = getFailureMessage({ code });
      expect(failure.code).toBe(code);
      expect(failure.reason.length).toBeGreaterThan(10);
      expect(failure.action.length).toBeGreaterThan(10);
    }
  });

  it('names the failing setup command and its exit code', () => {
    const failure = getFailureMessage({
      code: 'SANDBOX_SETUP_FAILED',
      message: 'setup command 2 failed',
      details: { command: 'pip install -e .', exitCode: 1, secretToken: 'ghs_xxx' },
    });
    expect(failure.reason).toContain('pip install -e .');
    expect(failure.reason).toContain('exitCode: 1');
    expect(failure.reason).not.toContain('ghs_xxx');
    expect(failure.action).toContain('.github/codemonkeys.yml');
  });

  it('maps budget and auth failures to actionable words', () => {
    expect(getFailureMessage({ code: 'BUDGET_EXCEEDED' }).action).toContain('budget.maxUsdPerRun');
    expect(getFailureMessage({ code: 'LLM_AUTH' }).action).toContain('ANTHROPIC_API_KEY');
    expect(getFailureMessage({ code: 'SOMETHING_NEW' }).reason).toContain('internal error');
  });

  it('lists config problems as plain text on one line (renderers escape for their medium)', () => {
    const failure = getFailureMessage({
      code: 'CONFIG_INVALID',
      details: { problems: ['samples: must be <= 50', 'labels: @everyone\nsecond line'] },
    });
    expect(failure.reason).toContain('samples: must be <= 50; labels: @everyone second line');
    expect(failure.reason).not.toContain('\n');
  });
});
