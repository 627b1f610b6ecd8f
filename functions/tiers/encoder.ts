import { createEncoderTier } from '../core/encoder-tier.ts';
import type { TierPlugin } from './tier.ts';

/** The runtime's encoder (the champion model locally, a SageMaker endpoint on AWS) with calibrated thresholds. */
export const encoderTier: TierPlugin = {
  name: 'encoder',
  summary: 'a trained text encoder, deciding when its calibrated probability clears the class threshold',
  async load({ taxonomy, services }) {
    const encoder = services.encoder ? await services.encoder() : { unavailable: 'no encoder on this runtime' };
    return 'unavailable' in encoder ? encoder : createEncoderTier(encoder, { taxonomy });
  },
};
