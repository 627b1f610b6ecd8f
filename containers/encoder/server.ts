/**
 * Entry of the encoder container (SageMaker real-time endpoint). SageMaker starts the image as
 * `docker run <image> serve`; this listens on port 8080, answers GET /ping and POST /invocations, and serves
 * the model folder at MODEL_DIR (default /opt/ml/model, where SageMaker unpacks model.tar.gz).
 *
 * Environment: MODEL_DIR; PORT (or SAGEMAKER_BIND_TO_PORT; default 8080, 0 = any free port); HOST
 * (default 0.0.0.0); ENCODER_THREADS (default: all cores); ENCODER_BATCH_SIZE (texts per ONNX run).
 */
import { availableParallelism } from 'node:os';
import { serve } from '@hono/node-server';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { OnnxEncoder } from '../../functions/model/encoder.ts';
import { createInferenceApp } from './app.ts';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

const modelDir = process.env.MODEL_DIR || '/opt/ml/model';
const port = intEnv('PORT', intEnv('SAGEMAKER_BIND_TO_PORT', 8080));
const hostname = process.env.HOST || '0.0.0.0';
const threads = intEnv('ENCODER_THREADS', availableParallelism());
const batchSize = intEnv('ENCODER_BATCH_SIZE', 1024);

const taxonomy = loadTaxonomy();
let encoder: OnnxEncoder | null = null;
const app = createInferenceApp({ encoder: () => encoder, taxonomy });

// Listen first so /ping can say 503 while the model loads; exit if it cannot load, so SageMaker sees a failure.
const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
  console.log(`encoder server listening on http://${info.address}:${info.port} (model ${modelDir})`);
});
OnnxEncoder.load(modelDir, { threads, batchSize, taxonomy }).then(
  (loaded) => {
    encoder = loaded;
    console.log(`encoder server: model ${loaded.modelVersion} loaded (${loaded.classIds.length} classes, ${threads} threads)`);
  },
  (err: Error) => {
    console.error(`encoder server: cannot load the model: ${err.message}`);
    server.close();
    process.exit(1);
  },
);

const stop = () => {
  server.close(() => {
    void encoder?.close();
    process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
