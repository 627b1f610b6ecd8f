/**
 * `aisle review`: the review queue of the local store, briefly; `aisle review --retry-llm` sends the items
 * the LLM did not label (unreachable, failing, unusable answers) to it again and updates them; `--label`
 * gives an item in review its human label, any class of the numbered list (`--classes`), Level 1 alone too.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { createLocalRuntime } from '../../functions/adapters/local/runtime.ts';
import { createOllamaLlm } from '../../functions/adapters/ollama.ts';
import { classList, type ListedClass, numbered } from '../../functions/core/class-list.ts';
import { createLlmTier, type LlmTier, llmWasSkipped, retryThroughLlm } from '../../functions/core/llm-tier.ts';
import type { Taxonomy } from '../../functions/core/taxonomy.ts';
import { CACHE_TIER } from '../../functions/core/types.ts';
import type { Cache, ItemRecord, ResultStore } from '../../functions/ports.ts';
import { loadFewShotExamples } from '../../functions/tiers/few-shot.ts';
import { terminalText } from './terminal.ts';

const HELP = `usage: aisle review [--retry-llm] [--limit N] [--classes] [--label KEY CLASS]

  (no flag)     list the review queue (items with status needs_review), oldest first
  --retry-llm   send the review items the LLM did not label (it was unreachable, failing, or answered
                unusably) to the LLM again, and store the new decisions
  --limit N     items to list (default 20) or, with --retry-llm, to retry at most (default all)
  --classes     the classes a label may name, numbered as the inspector numbers them; "Non-Food (no
                subcategory)" is a Level-1-only label
  --label KEY CLASS
                give the item KEY, waiting in review, its human label: CLASS is a number of --classes,
                a class id (non-food) or a label ("Non-Food > Household"); it overrides the cache from now on

Ollama is read from OLLAMA_HOST (default http://127.0.0.1:11434) and OLLAMA_MODEL (default llama3).`;

export interface ReviewDeps {
  store: ResultStore;
  cache?: Cache;
  taxonomy: Taxonomy;
  /** The LLM tier, made only for --retry-llm; probe says whether the LLM can be asked at all. */
  llmTier: () => Promise<{ tier: LlmTier; probe: () => Promise<{ ok: boolean; message: string }> }>;
  /** Who a --label is recorded as given by (default: the user running the command). */
  labelledBy?: string;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/** Items sent per round: the tier batches them further; the store is updated after each round. */
const RETRY_ROUND = 200;

export async function review(argv: string[], deps: ReviewDeps): Promise<number> {
  const out = deps.out ?? ((l) => console.log(l));
  const err = deps.err ?? ((l) => console.error(l));
  let values: { 'retry-llm'?: boolean; limit?: string; classes?: boolean; label?: string };
  let positionals: string[];
  try {
    // --help is answered by run(), before the store is opened.
    const options = { 'retry-llm': { type: 'boolean' }, limit: { type: 'string' }, classes: { type: 'boolean' }, label: { type: 'string' } } as const;
    ({ values, positionals } = parseArgs({ args: argv, options, allowPositionals: true }));
    if (positionals.length !== (values.label === undefined ? 0 : 1))
      throw new Error(values.label ? '--label KEY takes one CLASS' : `unexpected "${positionals[0]}"`);
  } catch (e) {
    err(`aisle review: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const classes = classList(deps.taxonomy.classes);
  if (values.classes) {
    for (const c of classes) out(`  ${numbered(c).padEnd(44)}  ${c.id}`);
    return 0;
  }
  if (values.label !== undefined) return label(deps, classes, values.label, positionals[0], out, err);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    err(`aisle review: --limit must be a positive integer, got "${values.limit}"`);
    return 2;
  }
  return values['retry-llm'] ? retryLlm(deps, limit ?? Infinity, out, err) : list(deps, classes, limit ?? 20, out);
}

async function allReview(store: ResultStore): Promise<ItemRecord[]> {
  const all: ItemRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listReview({ limit: 500, cursor });
    all.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return all;
}

async function list(deps: ReviewDeps, classes: ListedClass[], limit: number, out: (l: string) => void): Promise<number> {
  const all = await allReview(deps.store);
  const skipped = all.filter(llmWasSkipped).length;
  if (!all.length) {
    out('The review queue is empty.');
    return 0;
  }
  out(
    `${all.length} item${all.length === 1 ? '' : 's'} need review${skipped ? `; ${skipped} of them were not labelled by the LLM (aisle review --retry-llm)` : ''}.`,
  );
  for (const r of all.slice(0, limit)) {
    const d = r.decision;
    const listed = classes.find((c) => c.id === d.classId);
    const guess = d.classId ? `${listed ? numbered(listed) : d.classId} (${d.confidence.toFixed(2)})` : 'no guess';
    const why = [...(d.trace?.steps ?? [])].reverse().find((s) => s.tier !== 'review')?.reason ?? d.reason ?? '';
    out(`  ${d.key}  ${terminalText(r.input.name.slice(0, 40)).padEnd(40)}  ${guess}${why ? `  — ${why}` : ''}`);
  }
  if (all.length > limit) out(`  … ${all.length - limit} more (--limit N to see more)`);
  return 0;
}

/** Labels one item waiting in review, as the inspector's review tab does (POST /v1/review/{key}/accept with a class). */
async function label(deps: ReviewDeps, classes: ListedClass[], key: string, which: string, out: (l: string) => void, err: (l: string) => void) {
  const byId = deps.taxonomy.resolve(which)?.id;
  const cls = /^\d+$/.test(which) ? classes[Number(which) - 1] : classes.find((c) => c.id === byId);
  if (!cls) {
    err(`aisle review: "${which}" is not a class of taxonomy ${deps.taxonomy.name} ${deps.taxonomy.version} (aisle review --classes lists them)`);
    return 2;
  }
  const item = await deps.store.getItem(key);
  const d = item?.current.decision;
  if (!item || d?.status !== 'needs_review') {
    err(`aisle review: ${d ? `item ${key} is not in review (${d.tier}, ${d.status})` : `no item ${key}`}: aisle review lists the keys that wait`);
    return 1;
  }
  const record = await deps.store.setHumanLabel(key, cls.id, deps.labelledBy ?? userInfo().username);
  if (record) await deps.cache?.putMany([{ ...record.decision, trace: undefined }]);
  out(`Labelled "${terminalText(item.current.input.name)}" (${key}) as ${numbered(cls)}.`);
  return 0;
}

async function retryLlm(deps: ReviewDeps, limit: number, out: (l: string) => void, err: (l: string) => void): Promise<number> {
  const todo = (await allReview(deps.store)).filter(llmWasSkipped).slice(0, limit);
  if (!todo.length) {
    out('No review item is waiting for the LLM.');
    return 0;
  }
  const { tier, probe } = await deps.llmTier();
  const reach = await probe();
  if (!reach.ok) {
    err(`aisle review: ${reach.message}. ${todo.length} item(s) stay in review; nothing was changed.`);
    return 1;
  }
  let labelled = 0;
  let still = 0;
  for (let i = 0; i < todo.length; i += RETRY_ROUND) {
    const updated = await retryThroughLlm(todo.slice(i, i + RETRY_ROUND), tier, deps.taxonomy.version);
    await deps.store.saveDecisions(updated);
    const decided = updated.map((r) => r.decision).filter((d) => d.tier === 'llm');
    if (decided.length) await deps.cache?.putMany(decided);
    labelled += decided.filter((d) => d.status === 'ok').length;
    still += updated.length - decided.filter((d) => d.status === 'ok').length;
    out(`  ${Math.min(i + RETRY_ROUND, todo.length)}/${todo.length} sent to the LLM`);
  }
  out(`Retried ${todo.length} item(s) with the LLM: ${labelled} labelled (tier=llm), ${still} still in review.`);
  return 0;
}

/** The CLI entry: the local DuckDB store under $AISLE_HOME; the LLM tier is made only for --retry-llm. */
export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  const rt = await createLocalRuntime({ tiers: [CACHE_TIER] });
  try {
    return await review(argv, {
      store: rt.store,
      cache: rt.cache,
      taxonomy: rt.taxonomy,
      llmTier: async () => {
        const { llm, ...batching } = createOllamaLlm(rt.taxonomy, await loadFewShotExamples(rt.taxonomy, { store: rt.store }));
        return {
          tier: createLlmTier(llm, { ...batching, taxonomy: rt.taxonomy, notify: (m) => console.error(`aisle: ${m}`) }),
          probe: () => llm.probe(),
        };
      },
    });
  } finally {
    await rt.close();
  }
}
