/** See bundles.mjs. */
export function bundleFor(opts: { name: string; entry: string; packages: 'external' | 'bundle' }): Promise<string>;
