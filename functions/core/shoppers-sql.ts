import { fileURLToPath } from 'node:url';

/**
 * The folder of the shopper SQL files (functions/core/shoppers/): resolved from this module, so that in a Lambda
 * bundle (one index.mjs at its root) it is `./shoppers/` beside it, where lib/ copies the folder.
 */
export const SHOPPER_SQL_DIR = fileURLToPath(new URL('./shoppers/', import.meta.url));
