import { availableParallelism } from 'node:os';
import { createEncoderTier } from '../../core/encoder-tier.ts';
import { OnnxEncoder } from '../../model/encoder.ts';
import type { TierFactory } from './runtime.ts';
import { LocalModelRegistry } from './model-registry.ts';

/**
 * The encoder tier of the local runtime: the registry's champion ($AISLE_HOME/models/registry.json, else the
 * shipped starter model) served in-process by onnxruntime-node, one intra-op thread per core.
 */
export const encoderTierFactory: TierFactory = async (ctx) => {
  const registry = LocalModelRegistry.forHome(ctx.home);
  const champion = await registry.champion();
  if (!champion?.location) return { unavailable: 'no model: no shipped starter model and no trained champion' };
  try {
    const encoder = await OnnxEncoder.load(champion.location, { taxonomy: ctx.taxonomy, threads: availableParallelism() });
    return createEncoderTier(encoder, { taxonomy: ctx.taxonomy });
  } catch (err) {
    return { unavailable: `model ${champion.version} cannot be loaded: ${(err as Error).message}` };
  }
};
