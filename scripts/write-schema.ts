/**
 * `npm run schema`: writes schema/codemonkeys.schema.json (JSON Schema of .github/codemonkeys.yml)
 * from the zod schema, so editors can validate and complete the file. A test checks that the
 * committed file matches what this produces.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { repoConfigSchema } from '../src/config/repo-config.js';

export const SCHEMA_PATH = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'schema',
  'codemonkeys.schema.json',
);

/** The schema text, deterministic (stable key order from the zod definition). */
export function renderSchema(): string {
  const schema = z.toJSONSchema(repoConfigSchema, { io: 'input', target: 'draft-2020-12' });
  // Probot's config loader consumes `_extends` (inherit from another repository) before validation.
  const properties = {
    _extends: {
      type: 'string',
      description:
        'Inherit settings from another repository, e.g. `.github` or `org/repo:path.yml`.',
    },
    ...(schema.properties ?? {}),
  };
  const withMeta = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://codemonkeys.dev/schema/codemonkeys.schema.json',
    title: 'codemonkeys repository configuration (.github/codemonkeys.yml)',
    ...schema,
    properties,
  };
  return `${JSON.stringify(withMeta, null, 2)}\n`;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync(dirname(SCHEMA_PATH), { recursive: true });
  writeFileSync(SCHEMA_PATH, renderSchema());
  process.stdout.write(`wrote ${SCHEMA_PATH}\n`);
}
