// Bundles every Lambda handler with esbuild exactly as the CDK app does (lib/handler-function.ts BUNDLING:
// ESM, minified, node target, @aws-sdk/* external) and prints each bundle's size against the 1.5 MB target,
// with the biggest inputs, so a size regression shows where it comes from.
//   npx tsx bench/bundle-sizes.ts
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { BUNDLING, HANDLERS, handlerEntry } from '../lib/handler-function.ts';
import { machineLine } from './machine.ts';

const TARGET_BYTES = 1.5 * 1024 * 1024;
const mb = (n: number) => (n < 100 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(2)} MB`);

console.log(machineLine());
console.log(`esbuild: format ${BUNDLING.format}, target ${BUNDLING.target}, minify, external ${BUNDLING.externalModules.join(' ')}\n`);
console.log(`${'handler'.padEnd(18)} ${'bundle'.padStart(9)} ${'gzip'.padStart(9)}  target  biggest inputs`);

let over = 0;
for (const name of HANDLERS) {
  const result = await build({
    entryPoints: [handlerEntry(name)],
    bundle: true,
    platform: 'node',
    write: false,
    metafile: true,
    minify: true,
    format: BUNDLING.format,
    target: BUNDLING.target,
    mainFields: [...BUNDLING.mainFields],
    external: [...BUNDLING.externalModules],
    banner: { js: BUNDLING.banner },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  const inputs = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
    const pkg = path
      .replace(/^node_modules\//, '')
      .split('/')
      .slice(0, 2)
      .join('/');
    inputs.set(pkg, (inputs.get(pkg) ?? 0) + bytesInOutput);
  }
  const top = [...inputs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([p, b]) => `${p} ${(b / 1024).toFixed(0)}k`);
  const ok = code.byteLength <= TARGET_BYTES;
  if (!ok) over++;
  const native = Object.keys(result.metafile.inputs).filter((p) => /onnxruntime|\.node$/.test(p));
  console.log(
    `${name.padEnd(18)} ${mb(code.byteLength).padStart(9)} ${mb(gzipSync(code).byteLength).padStart(9)}  ${ok ? ' ok   ' : ' OVER '}  ${top.join(', ')}${native.length ? `  !! native/onnx inputs: ${native.join(' ')}` : ''}`,
  );
}
console.log(`\n${HANDLERS.length - over}/${HANDLERS.length} bundles within ${mb(TARGET_BYTES)}`);
