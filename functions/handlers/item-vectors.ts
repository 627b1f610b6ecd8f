/**
 * The similarity index on AWS (Amazon S3 Vectors) and the vectors put in it: the API queries it, and the functions
 * that save decisions (classify, the API's human labels) write each saved item to it, so an item is findable as soon
 * as its job writes it — as `aisle serve` does with its local index.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { S3VectorsIndex } from '../adapters/aws/s3-vectors.ts';
import { StaticEmbedder } from '../embeddings/static-embedder.ts';
import type { ResultStore } from '../ports.ts';
import { indexingResults } from '../similar/indexing.ts';
import { SimilarProducts } from '../similar/similar.ts';
import { DEFAULT_WEIGHTS, ItemVectorizer, type NameVectorizer } from '../similar/vectors.ts';

/** The static embedding table: bundled beside the handler on Lambda (lib/), the repository's models/ elsewhere. */
const BUNDLED_EMBEDDINGS = fileURLToPath(new URL('./embeddings/', import.meta.url));

/**
 * Item vectors made as the indexed ones were: one table per process (the API both queries and indexes), loaded on
 * first use (about 0.3 s) rather than at every cold start.
 */
let loaded: ItemVectorizer | undefined;
const itemVectorizer = () => {
  const dir = existsSync(BUNDLED_EMBEDDINGS) ? BUNDLED_EMBEDDINGS : undefined;
  return (loaded ??= new ItemVectorizer(StaticEmbedder.load(dir), DEFAULT_WEIGHTS, dir));
};
const bundledVectorizer: NameVectorizer = {
  get dimensions() {
    return itemVectorizer().dimensions;
  },
  vector: (name) => itemVectorizer().vector(name),
};

/** Similar products over the S3 Vectors index named by its ARN. */
export function s3VectorsSimilar(indexArn: string, client = new S3VectorsClient({})): SimilarProducts {
  return new SimilarProducts(new S3VectorsIndex(client, { indexArn }), bundledVectorizer);
}

/** `results`, with every saved decision and human label also put in the S3 Vectors index (same tenant). */
export function indexedOnS3Vectors(results: ResultStore, indexArn: string, client = new S3VectorsClient({})): ResultStore {
  return indexingResults(results, new S3VectorsIndex(client, { indexArn }), bundledVectorizer);
}
