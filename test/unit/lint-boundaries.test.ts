// The arrows between our folders are checked by ESLint (eslint.config.mjs): `npm run lint`
// refuses an import against them and lets the ones along them through.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');

interface Case {
  filePath: string;
  code: string;
}

interface Message {
  ruleId: string | null;
  message: string;
}

// ESLint loads eslint.config.mjs with import(), which Jest's sandbox refuses (it would need
// --experimental-vm-modules), so ESLint's Node API runs in a node process of its own.
const LINT_SNIPPETS = `
const { ESLint } = require('eslint');
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const results = [];
  for (const { filePath, code } of JSON.parse(process.argv[1])) {
    const [result] = await eslint.lintText(code, { filePath });
    results.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
  }
  process.stdout.write(JSON.stringify(results));
})();
`;

async function lint(cases: Case[]): Promise<Message[][]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', LINT_SNIPPETS, JSON.stringify(cases)], { cwd: ROOT });
  return JSON.parse(stdout);
}

/** A file at `filePath` that imports `specifier` and uses what it imports. */
const importing = (filePath: string, specifier: string): Case => ({
  filePath,
  code: `import * as imported from '${specifier}';\nexport default imported;\n`,
});

const refused: Array<[string, Case, string]> = [
  ['a desk -> gateway import', importing('desk/x.ts', '../gateway/intake'), 'desk/ may not import gateway/'],
  [
    'a desk -> gateway import of a type alone',
    { filePath: 'desk/x.ts', code: "import type { IntakeObserver } from '../gateway/intake';\nexport type Counter = IntakeObserver;\n" },
    'desk/ may not import gateway/',
  ],
  [
    'a desk -> worker import from a folder inside the desk',
    importing('desk/api/x.ts', '../../worker/queues'),
    'desk/ may not import worker/',
  ],
  [
    'a desk -> gateway re-export',
    { filePath: 'desk/x.ts', code: "export { intake } from '../gateway/intake';\n" },
    'desk/ may not import gateway/',
  ],
  ['a gateway -> desk import', importing('gateway/x.ts', '../desk/metrics'), 'gateway/ may not import desk/'],
  ['a worker -> gateway import', importing('worker/x.ts', '../gateway/intake'), 'worker/ may not import gateway/'],
  ['a letter -> registry import', importing('letter/x.ts', '../registry/letters'), 'letter/ may not import registry/'],
  ['a letter -> config import', importing('letter/x.ts', '../config/load'), 'letter/ may not import config/'],
  ['a letter -> lib import (a timer in the pure folder)', importing('letter/x.ts', '../lib/deadline'), 'letter/ may not import lib/'],
  ['a registry -> worker import', importing('registry/x.ts', '../worker/queues'), 'registry/ may not import worker/'],
  ['a registry -> gateway import', importing('registry/x.ts', '../gateway/intake'), 'registry/ may not import gateway/'],
  ['a lib -> config import', importing('lib/x.ts', '../config/load'), 'lib/ may not import config/'],
  ['a config -> registry import', importing('config/x.ts', '../registry/db'), 'config/ may not import registry/'],
  ['a gateway -> devkit import', importing('gateway/x.ts', '../devkit/sender'), 'gateway/ may not import devkit/'],
  ['a bin -> bench import', importing('bin/x.ts', '../bench/run'), 'bin/ may not import bench/'],
  ['a test support -> bench import', importing('test/support/x.ts', '../../bench/letters'), 'test/ may not import bench/'],
  ['a bench -> test support import', importing('bench/x.ts', '../test/support/services'), 'bench/ may not import test/'],
  ['a devkit -> test support import', importing('devkit/x.ts', '../test/support/services'), 'devkit/ may not import test/'],
];

const allowed: Array<[string, Case]> = [
  ['a desk -> registry import', importing('desk/x.ts', '../registry/db')],
  ['a desk -> lib import', importing('desk/x.ts', '../lib/deadline')],
  ['a desk import of its own folder', importing('desk/api/x.ts', '../server')],
  ['a desk import of a package', importing('desk/x.ts', 'fastify')],
  ['a gateway -> registry import', importing('gateway/x.ts', '../registry/inbound')],
  ['a worker -> letter import', importing('worker/x.ts', '../letter/policy')],
  ['a worker -> config import', importing('worker/x.ts', '../config/load')],
  ['a letter import of its own folder', importing('letter/x.ts', './calendar')],
  ['a registry -> letter import', importing('registry/x.ts', '../letter/calendar')],
  ['a registry -> config import', importing('registry/x.ts', '../config/load')],
  ['a registry -> lib import', importing('registry/x.ts', '../lib/deadline')],
  ['a config -> lib import', importing('config/x.ts', '../lib/deadline')],
  ['a bin -> gateway import', importing('bin/x.ts', '../gateway/intake')],
  ['a bin -> worker import', importing('bin/x.ts', '../worker/queues')],
  ['a bin -> desk import', importing('bin/x.ts', '../desk/metrics')],
  ['a devkit -> registry import', importing('devkit/x.ts', '../registry/db')],
  ['a bench -> devkit import', importing('bench/x.ts', '../devkit/sender')],
  ['a bench -> worker import', importing('bench/x.ts', '../worker/read')],
  ['a test -> bin import', importing('test/integration/x.test.ts', '../../bin/roles')],
  ['a test support -> devkit import', importing('test/support/x.ts', '../../devkit/scratch')],
];

describe('the arrows between our folders, as ESLint checks them', () => {
  let refusedMessages: Message[][];
  let allowedMessages: Message[][];

  beforeAll(async () => {
    const messages = await lint([...refused.map(([, c]) => c), ...allowed.map(([, c]) => c)]);
    refusedMessages = messages.slice(0, refused.length);
    allowedMessages = messages.slice(refused.length);
  });

  it.each(refused.map(([what, , said], i) => [what, said, i] as const))('refuses %s, saying "%s"', (_what, said, i) => {
    expect(refusedMessages[i]).toEqual([{ ruleId: 'no-restricted-imports', message: expect.stringContaining(said) }]);
  });

  it.each(allowed.map(([what], i) => [what, i] as const))('lets %s through', (_what, i) => {
    expect(allowedMessages[i]).toEqual([]);
  });
});
