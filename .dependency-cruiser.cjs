// Layering rules: the core points at nothing outside itself; adapters don't reach into each
// other. `npm run lint:layers` checks them; test/unit/layering.test.ts shows a wrong-way import is caught.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-outer-layer',
      comment: 'functions/core, pipeline, tiers and ask are the hexagon: they reach adapters, handlers, the API, the CLI and CDK only through ports.',
      severity: 'error',
      from: { path: '^functions/(core|pipeline|tiers|ask)/' },
      to: { path: '^(functions/(adapters|handlers|api)/|bin/|lib/)' },
    },
    {
      name: 'functions-import-no-cli-or-cdk',
      comment: 'Lambda code is bundled on its own: bin/ (the CLI) and lib/ (the CDK stack) are never part of it.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^(bin|lib)/' },
    },
    {
      name: 'no-reach-into-local-adapters',
      comment:
        'functions/adapters/local is one runtime (DuckDB, a folder as bucket): other adapters and the Lambda handlers share code through core, not through it.',
      severity: 'error',
      from: { path: '^functions/(adapters|handlers)/', pathNot: '^functions/adapters/local/' },
      to: { path: '^functions/adapters/local/' },
    },
    {
      name: 'no-reach-into-aws-adapters',
      comment: 'functions/adapters/aws is the other runtime: the local one never imports it.',
      severity: 'error',
      from: { path: '^functions/adapters/', pathNot: '^functions/adapters/aws/' },
      to: { path: '^functions/adapters/aws/' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle, even through type-only imports, ties its modules together: none can move or change alone.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import the checker cannot resolve would slip past every rule above.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|\\.aisle)/' },
    // Type-only imports count too: a port that names an adapter's type still points the wrong way.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.mts', '.mjs', '.js', '.json'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
