/**
 * An Amazon S3 Vectors emulator on loopback for the adapter's contract test: the REST-JSON operations the adapter
 * uses (PutVectors, GetVectors, DeleteVectors, QueryVectors, ListVectors) over one in-memory index, exact cosine,
 * and the metadata filter operators it sends ($eq on strings and string arrays, $and). Every request is
 * recorded, so a test can check what went over the wire (each query's tenant filter).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type Meta = Record<string, string | string[]>;
type Filter = { $and?: Filter[] } & Record<string, { $eq?: string } | Filter[] | undefined>;

export interface RecordedRequest {
  operation: string;
  body: Record<string, unknown>;
}

function matches(meta: Meta, filter: Filter | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([field, cond]) => {
    if (field === '$and') return (cond as Filter[]).every((f) => matches(meta, f));
    const want = (cond as { $eq?: string }).$eq;
    if (want === undefined) throw new Error(`operator of ${field} not emulated: ${JSON.stringify(cond)}`);
    const value = meta[field];
    return Array.isArray(value) ? value.includes(want) : value === want;
  });
}

const cosine = (a: number[], b: number[]) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / (Math.sqrt(na * nb) || 1);
};

export async function startS3VectorsEmulator(dimensions: number) {
  const vectors = new Map<string, { data: number[]; metadata: Meta }>();
  const requests: RecordedRequest[] = [];
  const handle = (operation: string, body: Record<string, unknown>): unknown => {
    switch (operation) {
      case 'PutVectors':
        for (const v of body.vectors as { key: string; data: { float32: number[] }; metadata: Meta }[]) {
          if (v.data.float32.length !== dimensions)
            throw new Error(`ValidationException: ${v.data.float32.length} dimensions, the index has ${dimensions}`);
          vectors.set(v.key, { data: v.data.float32, metadata: v.metadata });
        }
        return {};
      case 'DeleteVectors':
        for (const k of body.keys as string[]) vectors.delete(k);
        return {};
      case 'GetVectors':
        return {
          vectors: (body.keys as string[])
            .filter((k) => vectors.has(k))
            .map((k) => ({
              key: k,
              data: body.returnData ? { float32: vectors.get(k)!.data } : undefined,
              metadata: body.returnMetadata ? vectors.get(k)!.metadata : undefined,
            })),
        };
      case 'QueryVectors': {
        const q = (body.queryVector as { float32: number[] }).float32;
        const found = [...vectors]
          .filter(([, v]) => matches(v.metadata, body.filter as Filter | undefined))
          .map(([key, v]) => ({ key, distance: 1 - cosine(q, v.data), metadata: body.returnMetadata ? v.metadata : undefined }))
          .sort((a, b) => a.distance - b.distance)
          .slice(0, body.topK as number);
        return { vectors: found, distanceMetric: 'cosine' };
      }
      case 'ListVectors': {
        const keys = [...vectors.keys()].sort();
        const start = body.nextToken ? Number(body.nextToken) : 0;
        const page = keys.slice(start, start + 2); // small pages: the adapter must follow nextToken
        return {
          vectors: page.map((key) => ({ key, metadata: body.returnMetadata ? vectors.get(key)!.metadata : undefined })),
          nextToken: start + 2 < keys.length ? String(start + 2) : undefined,
        };
      }
      default:
        throw new Error(`operation ${operation} not emulated`);
    }
  };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString();
    });
    req.on('end', () => {
      const operation = (req.url ?? '').replace(/^\//, '').split('?')[0];
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      requests.push({ operation, body });
      try {
        const out = handle(operation, body);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
      } catch (err) {
        res
          .writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'ValidationException' })
          .end(JSON.stringify({ message: (err as Error).message }));
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    clear: () => vectors.clear(),
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
