import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The arrows between our folders (docs/ARCHITECTURE.md, "Parts"): each folder names the others
// it may import; an import of any other is refused with `why`, which says what to do instead.
const PRODUCT = ['letter', 'lib', 'config', 'registry', 'gateway', 'worker', 'desk', 'bin'];
const EDGES =
  'gateway/, worker/ and desk/ never import each other: share through registry/, or a small interface of your own that bin/roles.ts fills in';
const ARROWS = {
  letter: { may: [], why: 'letter/ is pure domain code and imports only letter/: take what it needs as arguments' },
  lib: { may: [], why: 'lib/ holds helpers every part may use and imports nothing of ours' },
  config: { may: ['lib'], why: 'config/ is read by every part and imports only lib/' },
  registry: {
    may: ['letter', 'lib', 'config'],
    why: 'registry/ imports only letter/, lib/ and config/: the edges call the register, never the reverse',
  },
  gateway: { may: ['letter', 'lib', 'config', 'registry'], why: EDGES },
  worker: { may: ['letter', 'lib', 'config', 'registry'], why: EDGES },
  desk: { may: ['letter', 'lib', 'config', 'registry'], why: EDGES },
  bin: { may: PRODUCT, why: 'bin/ wires the parts of the product; the bench, the tests and devkit/ are not among them' },
  devkit: { may: PRODUCT, why: 'devkit/ serves the bench and the tests alike and imports neither' },
  bench: { may: [...PRODUCT, 'devkit'], why: 'the bench and the tests do not import each other: what both need goes in devkit/' },
  test: { may: [...PRODUCT, 'devkit'], why: 'the bench and the tests do not import each other: what both need goes in devkit/' },
};

const arrows = Object.entries(ARROWS).map(([folder, { may, why }]) => ({
  files: [`${folder}/**`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: Object.keys(ARROWS)
          .filter((other) => other !== folder && !may.includes(other))
          .map((other) => ({
            // Up and into the other folder, from any depth: '../gateway/intake', '../../worker/queues'.
            regex: `^(\\.\\./)+${other}(/|$)`,
            message: `${folder}/ may not import ${other}/: ${why} (docs/ARCHITECTURE.md, "Parts").`,
          })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Settings are read in config/ only.' }],
    },
  },
  { files: ['config/**', 'test/**', 'bench/**', '*.js'], rules: { 'no-restricted-properties': 'off' } },
  // The desk's page script runs in the officer's browser.
  { files: ['desk/pages/assets/*.js'], languageOptions: { sourceType: 'script', globals: globals.browser } },
  { files: ['*.js'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
  ...arrows,
);
