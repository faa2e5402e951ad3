import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes a synthetic Python repository of `files` modules in 100 packages; ~1 in 100 is "relevant". */
export function writeSyntheticRepo(dir: string, files: number): { relevant: string[] } {
  const relevant: string[] = [];
  const perPackage = Math.ceil(files / 100);
  for (let p = 0; p < 100; p++) mkdirSync(join(dir, `pkg${p}`), { recursive: true });
  for (let i = 0; i < files; i++) {
    const pkg = `pkg${Math.floor(i / perPackage)}`;
    const hot = i % 100 === 42;
    const name = hot ? `billing_${i}.py` : `module_${i}.py`;
    const body = [
      `"""Module ${i} of a synthetic repository."""`,
      'import math',
      '',
      ...Array.from(
        { length: 20 + (i % 40) },
        (_, k) => `def f_${i}_${k}(x):\n    return math.sqrt(x) * ${k} + ${i}\n`,
      ),
      hot
        ? 'def compute_invoice_total(items):\n    return sum(i.price for i in items)  # ignores discounts\n'
        : '',
    ].join('\n');
    writeFileSync(join(dir, pkg, name), body);
    if (hot) relevant.push(`${pkg}/${name}`);
  }
  return { relevant };
}
