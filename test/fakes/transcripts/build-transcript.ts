import type { ScriptedRule } from '../../../src/llm/scripted.js';

/**
 * Builds ScriptedLlm rules from a readable description of a whole run, keyed by the model-call
 * key convention (`relevance/<path>`, `ranking/<i>`, `testing/s<i>/t<turn>`, `editing/s<i>/t<turn>`,
 * `selection/t<turn>`). Every reply is listed explicitly in call order; a call the description
 * does not cover fails loudly (the ScriptedLlm has no reply), so a test notices extra turns.
 */
export interface SampleTranscript {
  testing: string[];
  editing: string[];
}

export interface TranscriptSpec {
  /** Relevant files with their one-paragraph summary; every other scanned file is not relevant. */
  relevant: Record<string, string>;
  /** The ranking every ranking call returns (paths, best first). */
  ranking: string[];
  samples: SampleTranscript[];
  selection?: string[];
}

export function buildTranscript(spec: TranscriptSpec): ScriptedRule[] {
  const rules: ScriptedRule[] = [
    {
      stage: 'relevance',
      key: /^relevance\//,
      reply: (request) => {
        const path = request.key.replace(/^relevance\//, '').replace(/\/retry$/, '');
        const summary = spec.relevant[path];
        return summary === undefined ? replies.notRelevant(path) : replies.relevant(summary);
      },
    },
    { stage: 'ranking', key: /^ranking\/\d+$/, reply: replies.ranking(spec.ranking) },
  ];
  spec.samples.forEach((sample, i) => {
    sample.testing.forEach((reply, turn) =>
      rules.push({ stage: 'testing', key: `testing/s${i}/t${turn}`, reply }),
    );
    sample.editing.forEach((reply, turn) =>
      rules.push({ stage: 'editing', key: `editing/s${i}/t${turn}`, reply }),
    );
  });
  (spec.selection ?? []).forEach((reply, turn) =>
    rules.push({ stage: 'selection', key: `selection/t${turn}`, reply }),
  );
  return rules;
}

export interface SearchReplace {
  path: string;
  search: string;
  replace: string;
}

function block(b: SearchReplace): string {
  const body = (text: string) => (text === '' ? '' : text.endsWith('\n') ? text : `${text}\n`);
  return `<<<<<<< SEARCH ${b.path}\n${body(b.search)}=======\n${body(b.replace)}>>>>>>> REPLACE\n`;
}

/** Replies in the protocols the pipeline's parsers read. */
export const replies = {
  relevant: (summary: string) =>
    `This file contains the code the issue talks about.\nRELEVANCE: Relevant\nSUMMARY: ${summary}`,
  notRelevant: (path: string) =>
    `${path} has nothing to do with the issue.\nRELEVANCE: Not Relevant`,
  ranking: (paths: string[]) =>
    `The files to edit come first.\n\n\`\`\`json\n${JSON.stringify(paths)}\n\`\`\``,
  test: (prose: string, script: string) =>
    `${prose}\n\n<test>\n${script.endsWith('\n') ? script : `${script}\n`}</test>`,
  edit: (prose: string, blocks: SearchReplace[]) =>
    `${prose}\n\n<edit>\n${blocks.map(block).join('\n')}</edit>`,
  done: (prose = 'The test behaves as intended.') => `${prose}\n\n<done>DONE</done>`,
  choose: (id: number, reasoning: string) =>
    `${reasoning}\n\n<chosen_candidate_fix_id>${id}</chosen_candidate_fix_id>`,
  /** Malformed: prose only, no tagged block. */
  noTag: (prose = 'I think the fix is to change the comparison operator.') => prose,
  /** Malformed: two tagged blocks in one reply. */
  twoTags: (first: string, second: string) => `${first}\n\nAlso:\n\n${second}`,
};
