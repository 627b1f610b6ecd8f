import type { Cascade } from '../core/cascade.ts';
import { toCascadeItem } from '../core/normalize.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { ProductClassifier } from './ports.ts';

/** The cascade as the shopper pipeline's classifier: a product the cascade leaves for review is 'unknown'. */
export const cascadeClassifier =
  (cascade: Cascade, taxonomy: Taxonomy): ProductClassifier =>
  async (names) => {
    const decisions = await cascade.classify(names.map((name) => toCascadeItem({ name })));
    return decisions.map((d) => {
      const cls = d.status === 'ok' && d.classId ? taxonomy.get(d.classId) : undefined;
      return { classId: cls ? cls.id : null, category: cls?.label ?? 'unknown', tier: d.tier, confidence: d.confidence };
    });
  };
