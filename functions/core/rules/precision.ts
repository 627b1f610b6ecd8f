/**
 * How precise each rule is on labelled names: how many items it decides (hits) and how many of those it
 * decides rightly. A decision is right when the rule's class and the gold class lie on one lineage (a rule
 * for "non-food" is right on a Household item; a Household rule is right on an item labelled only Non-Food),
 * so a rule is never blamed for a level its labels do not name. `levels` cuts the comparison: 1 asks only
 * whether Food is Food. Rules that decide "unknown" send items to
 * review: they are counted, never wrong. `aisle rules check` prints this for the starter catalog and the
 * adversarial list (models/starter/adversarial.csv).
 */
import type { Taxonomy } from '../taxonomy.ts';
import type { RuleSet } from './rule-set.ts';
import { UNKNOWN_TARGET } from './schema.ts';

/** A name and its gold class. */
export interface LabelledName {
  text: string;
  classId: string;
}

export interface FalseHit {
  text: string;
  /** The gold class the rule got wrong. */
  gold: string;
}

export interface RulePrecision {
  ruleId: string;
  target: string;
  /** Items the rule decided (as the decisive match or one agreeing with it). */
  hits: number;
  right: number;
  /** right / hits; null without hits or for an `unknown` rule (it decides no class). */
  precision: number | null;
  /** The first false hits, up to FALSE_HITS_KEPT. */
  falseHits: FalseHit[];
}

export interface PrecisionReport {
  rows: number;
  /** Rows the rules decided with a class (explicit unknowns aside). */
  decided: number;
  /** Decided rows whose class is on the gold class's lineage. */
  right: number;
  /** decided / rows. */
  coverage: number;
  /** right / decided; null when nothing was decided. */
  precision: number | null;
  /** Rules with hits, the least precise first. */
  rules: RulePrecision[];
}

const FALSE_HITS_KEPT = 3;

/** Each rule's hits and precision on labelled names, and the rules' coverage and precision as a whole. */
export function measureRulePrecision(ruleSet: RuleSet, taxonomy: Taxonomy, names: LabelledName[], levels = taxonomy.levels.length): PrecisionReport {
  const byRule = new Map<string, RulePrecision>();
  let decided = 0;
  let right = 0;
  for (const { text, classId: gold } of names) {
    const verdict = ruleSet.match({ text, brand: undefined });
    if (verdict.kind !== 'decided') continue;
    const correct = verdict.classId === null || sameLineage(taxonomy, verdict.classId, gold, levels);
    if (verdict.classId !== null) {
      decided++;
      if (correct) right++;
    }
    const deciders = new Set([verdict.match.rule, ...verdict.agreeing.map((m) => m.rule)]);
    for (const rule of deciders) {
      let tally = byRule.get(rule.id);
      if (tally === undefined) {
        tally = { ruleId: rule.id, target: rule.classId ?? UNKNOWN_TARGET, hits: 0, right: 0, precision: null, falseHits: [] };
        byRule.set(rule.id, tally);
      }
      tally.hits++;
      if (correct) tally.right++;
      else if (tally.falseHits.length < FALSE_HITS_KEPT) tally.falseHits.push({ text, gold });
    }
  }
  const rules = [...byRule.values()];
  for (const r of rules) r.precision = r.target === UNKNOWN_TARGET ? null : r.right / r.hits;
  rules.sort((a, b) => (a.precision ?? 1) - (b.precision ?? 1) || b.hits - a.hits || a.ruleId.localeCompare(b.ruleId));
  return {
    rows: names.length,
    decided,
    right,
    coverage: names.length ? decided / names.length : 0,
    precision: decided ? right / decided : null,
    rules,
  };
}

/** Whether two classes agree on their first `levels` levels: one is the other or an ancestor of it, once cut there. */
function sameLineage(taxonomy: Taxonomy, a: string, b: string, levels: number): boolean {
  if (a === b) return true;
  const left = taxonomy.lineage(a).slice(0, levels);
  const right = taxonomy.lineage(b).slice(0, levels);
  for (let i = 0; i < Math.min(left.length, right.length); i++) if (left[i].id !== right[i].id) return false;
  return true;
}
