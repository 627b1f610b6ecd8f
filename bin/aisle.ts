/**
 * The local runtime's CLI. Each command lives in bin/commands/<name>.ts and exports `run(argv)`;
 * this file only dispatches, so adding a command is one line in COMMANDS.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  insights: { summary: 'run a named query over the results lake (no name: list them)', load: () => import('./commands/insights.ts') },
  ask: { summary: 'ask about the catalog: items that answer it (cited), or figures from a named query', load: () => import('./commands/ask.ts') },
  rules: { summary: 'check a rules file, or explain how the rules classify a product name', load: () => import('./commands/rules.ts') },
  shoppers: { summary: 'shopper logs to sessions and search links (generate: demo logs)', load: () => import('./commands/shoppers.ts') },
  classify: {
    summary: 'classify a catalog file: CSV, TSV, JSON, Parquet; gzip, zstd (the shipped sample when no file is given)',
    load: () => import('./commands/classify.ts'),
  },
  'map-categories': {
    summary: 'learn how your own categories map to ours from a classified file',
    load: () => import('./commands/map-categories.ts'),
  },
  review: {
    summary: 'the review queue: --label KEY CLASS labels an item, --classes lists the classes, --retry-llm asks the LLM again',
    load: () => import('./commands/review.ts'),
  },
  cost: {
    summary: 'dollars per million products on AWS: the cascade beside sending everything to the LLM',
    load: () => import('./commands/cost.ts'),
  },
  train: { summary: 'train a challenger model, compare it with the champion, promote it if it wins', load: () => import('./commands/train.ts') },
  eval: { summary: 'score a model on a labelled CSV (accuracy, macro-F1, coverage, confusion matrix)', load: () => import('./commands/eval.ts') },
  similar: { summary: 'the classified items most like a product name or an item, with scores', load: () => import('./commands/similar.ts') },
  models: { summary: 'list model versions (champion, challengers, retired) or promote one by hand', load: () => import('./commands/models.ts') },
  keys: { summary: 'create, list and revoke API keys for aisle serve', load: () => import('./commands/keys.ts') },
  aws: { summary: "operate a deployed stack: redrive JOB sends a job's failed chunks again", load: () => import('./commands/aws.ts') },
  serve: { summary: 'serve the HTTP API and the web inspector (default http://127.0.0.1:8787)', load: () => import('./commands/serve.ts') },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: aisle <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun "aisle <command> --help" for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`aisle: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  // Settings are checked before any command runs: a bad one stops here, named (functions/config).
  (await import('../functions/config/deployables.ts')).configOf('local');
  return (await command.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Expected failures (bad input, bad taxonomy) carry a message meant for the user; anything else gets its stack.
    const e = err as Error & { userFacing?: boolean };
    console.error(`aisle: ${e.userFacing ? e.message : (e.stack ?? String(e))}`);
    process.exitCode = 1;
  },
);
