/**
 * A worker thread that fits one tenant's category model (category-model.ts) and posts it back as plain data, so
 * the serving thread keeps answering while a fit runs (seconds of CPU per 10,000 labelled names). Started by
 * tenant-categories.ts `fitInWorker` from a bundle of this file (a worker thread does not inherit tsx).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { StaticEmbedder } from '../embeddings/static-embedder.ts';
import { CategoryModel, type LabelledName } from './category-model.ts';

const labelled = workerData as LabelledName[];
const data = CategoryModel.fit(labelled, StaticEmbedder.load()).data();
// The model's arrays are this thread's to give: transferred, not copied.
parentPort!.postMessage(data, [data.sparse.buffer, data.dense.buffer, data.bias.buffer] as ArrayBuffer[]);
