/**
 * Evaluates an encoder on labelled rows: accuracy and macro-F1 per level, per-class F1, coverage at the
 * model's per-class thresholds with accuracy on the covered rows, the coverage/accuracy curve and the
 * confusion matrix (functions/model/metrics.ts).
 */
import type { Taxonomy } from '../core/taxonomy.ts';
import type { Encoder } from '../ports.ts';
import type { LabelledText } from './labelled-data.ts';
import { type EvalReport, formatReport, type Prediction, scorePredictions } from './metrics.ts';

export type { EvalReport } from './metrics.ts';
export { formatReport };

export async function evaluate(encoder: Encoder, rows: LabelledText[], taxonomy: Taxonomy): Promise<EvalReport> {
  const batchSize = 8192;
  const preds: Prediction[] = [];
  for (let start = 0; start < rows.length; start += batchSize) {
    const slice = rows.slice(start, start + batchSize);
    const top = await encoder.predict(
      slice.map((r) => r.text),
      1,
    );
    slice.forEach((row, i) => {
      const best = top[i][0];
      preds.push({ gold: row.classId, predicted: best.classId, score: best.score, accepted: best.score >= encoder.threshold(best.classId) });
    });
  }
  return scorePredictions(preds, taxonomy, encoder.modelVersion);
}
