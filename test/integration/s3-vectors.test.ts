/**
 * The S3 Vectors adapter through the real AWS SDK client against the project's S3 Vectors emulator on loopback:
 * the SimilarityIndex contract the local index passes too, and the requests on the wire (every query filtered to
 * its tenant by the service).
 */
import { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3VectorsIndex } from '../../functions/adapters/aws/s3-vectors.ts';
import { DIMENSIONS, similarityIndexContract, unit } from '../contract/similarity-index.ts';
import { startS3VectorsEmulator } from '../support/s3-vectors-emulator.ts';

let emulator: Awaited<ReturnType<typeof startS3VectorsEmulator>>;
beforeAll(async () => {
  emulator = await startS3VectorsEmulator(DIMENSIONS);
});
afterAll(() => emulator.close());

const where = { vectorBucketName: 'aisle-vectors', indexName: 'items' };
const client = () =>
  new S3VectorsClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

similarityIndexContract('Amazon S3 Vectors (emulator)', async () => {
  emulator.clear();
  return { index: new S3VectorsIndex(client(), where) };
});

describe('S3 Vectors requests', () => {
  it("send each query with its tenant's filter, and a class filter beside it", async () => {
    emulator.clear();
    const index = new S3VectorsIndex(client(), where).forTenant('acme');
    await index.upsert([{ key: 'f000000000000001', vector: unit(1), classId: 'food.beverages', name: 'cola' }]);
    emulator.requests.length = 0;
    await index.query(unit(1), { k: 3, classId: 'food' });
    expect(emulator.requests).toEqual([
      {
        operation: 'QueryVectors',
        body: expect.objectContaining({
          ...where,
          topK: 3,
          filter: { $and: [{ tenant: { $eq: 'acme' } }, { classPath: { $eq: 'food' } }] },
          returnMetadata: true,
          returnDistance: true,
        }),
      },
    ]);
  });
});
