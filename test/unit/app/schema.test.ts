import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { renderSchema, SCHEMA_PATH } from '../../../scripts/write-schema.js';

describe('scripts/write-schema', () => {
  it('the committed schema/codemonkeys.schema.json is up to date (run `npm run schema`)', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(renderSchema());
  });

  it('forbids unknown keys and documents defaults', () => {
    const schema = JSON.parse(renderSchema()) as {
      additionalProperties: unknown;
      properties: Record<string, { default?: unknown }>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.samples?.default).toBe(10);
    expect(schema.properties._extends).toBeDefined();
  });
});
