/**
 * Entry of the encoder container (SageMaker real-time endpoint). SageMaker starts the image as
 * `docker run <image> serve`; this listens on port 8080, answers GET /ping and POST /invocations, and serves
 * the model folder at MODEL_DIR (default /opt/ml/model, where SageMaker unpacks model.tar.gz).
 *
 * Settings: the encoder's in functions/config (docs/configuration.md).
 */
import { availableParallelism } from 'node:os';
import { serve } from '@hono/node-server';
import { configOf } from '../../functions/config/deployables.ts';
import { loadTaxonomy } from '../../functions/core/taxonomy.ts';
import { OnnxEncoder } from '../../functions/model/encoder.ts';
import { createInferenceApp } from './app.ts';

const config = configOf('encoder');
const modelDir = config.modelDir;
const threads = config.encoderThreads ?? availableParallelism();

const taxonomy = loadTaxonomy();
let encoder: OnnxEncoder | null = null;
const app = createInferenceApp({ encoder: () => encoder, taxonomy });

// Listen first so /ping can say 503 while the model loads; exit if it cannot load, so SageMaker sees a failure.
const server = serve({ fetch: app.fetch, port: config.port ?? config.sagemakerBindToPort, hostname: config.host }, (info) => {
  console.log(`encoder server listening on http://${info.address}:${info.port} (model ${modelDir})`);
});
const device = config.encoderDevice;
OnnxEncoder.load(modelDir, { threads, batchSize: config.encoderBatchSize, taxonomy, device }).then(
  (loaded) => {
    encoder = loaded;
    // The provider asked for is the one serving: a GPU endpoint whose CUDA provider is missing fails to load instead.
    console.log(
      JSON.stringify({
        level: 'info',
        message: 'encoder model loaded',
        model: loaded.modelVersion,
        classes: loaded.classIds.length,
        executionProvider: device,
        threads,
      }),
    );
  },
  (err: Error) => {
    console.error(
      JSON.stringify({ level: 'error', message: 'encoder server: cannot load the model', executionProvider: device, error: err.message }),
    );
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
