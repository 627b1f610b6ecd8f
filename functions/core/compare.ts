/**
 * A score and the bound it was compared with, printed with as many decimals as it takes to tell them apart
 * (at least two): a failing comparison never reads as two equal numbers ("top 0.9997 < threshold 0.9998", not
 * "top 1.00 < threshold 1.00").
 */
export function scoreAndBound(score: number, bound: number): [string, string] {
  if (score === bound) return [score.toFixed(2), bound.toFixed(2)];
  for (let digits = 2; digits <= 12; digits++) {
    const [s, b] = [score.toFixed(digits), bound.toFixed(digits)];
    if (s !== b) return [s, b];
  }
  return [String(score), String(bound)];
}
