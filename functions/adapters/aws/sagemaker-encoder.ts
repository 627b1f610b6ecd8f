import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { Candidate } from '../../core/types.ts';
import type { Encoder } from '../../ports.ts';
import { inParallel } from './clients.ts';

export interface SageMakerEncoderOptions {
  client: SageMakerRuntimeClient;
  /** ENCODER_ENDPOINT_NAME: a SageMaker real-time endpoint running containers/encoder. */
  endpointName: string;
  /** Texts per InvokeEndpoint call (the request body must stay under SageMaker's 6 MB). Default 512. */
  batchSize?: number;
  /** Calls in flight at once for one predict(). Default 4. */
  concurrency?: number;
}

/** The answer of containers/encoder (see containers/encoder/app.ts). */
interface InvocationBody {
  modelVersion?: string;
  predictions?: { labels?: { classId: string; probability: number; threshold: number }[] }[];
}

/**
 * The Encoder port over a SageMaker endpoint running the encoder container: texts go out in batches of
 * `batchSize` through InvokeEndpoint (JSON {"texts", "top_k"}), several calls at a time. Thresholds come
 * back with every candidate, so threshold() answers for any class a prediction named; a class never seen
 * gets 1 (never accepted on its own). The SDK retries throttling and 5xx; what still fails throws, and the
 * cascade defers those items to the next tier.
 */
export class SageMakerEncoder implements Encoder {
  /** The version the endpoint last answered with ("unknown" before the first call). */
  modelVersion = 'unknown';
  private readonly thresholds = new Map<string, number>();
  private readonly batchSize: number;
  private readonly concurrency: number;

  constructor(private readonly opts: SageMakerEncoderOptions) {
    if (!opts.endpointName) throw new Error('SageMakerEncoder needs an endpoint name (ENCODER_ENDPOINT_NAME)');
    this.batchSize = Math.max(1, opts.batchSize ?? 512);
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
  }

  threshold(classId: string): number {
    return this.thresholds.get(classId) ?? 1;
  }

  async predict(texts: string[], topK = 3): Promise<Candidate[][]> {
    const out: Candidate[][] = new Array(texts.length);
    const starts: number[] = [];
    for (let s = 0; s < texts.length; s += this.batchSize) starts.push(s);
    await inParallel(starts, this.concurrency, async (start) => {
      const answers = await this.invoke(texts.slice(start, start + this.batchSize), topK);
      answers.forEach((a, i) => (out[start + i] = a));
    });
    return out;
  }

  private async invoke(texts: string[], topK: number): Promise<Candidate[][]> {
    const endpoint = this.opts.endpointName;
    const res = await this.opts.client.send(
      new InvokeEndpointCommand({
        EndpointName: endpoint,
        ContentType: 'application/json',
        Accept: 'application/json',
        Body: new TextEncoder().encode(JSON.stringify({ texts, top_k: topK })),
      }),
    );
    let body: InvocationBody;
    try {
      body = JSON.parse(new TextDecoder().decode(res.Body)) as InvocationBody;
    } catch {
      throw new Error(`SageMaker endpoint ${endpoint} answered something that is not JSON`);
    }
    const predictions = body.predictions;
    if (!Array.isArray(predictions) || predictions.length !== texts.length) {
      throw new Error(
        `SageMaker endpoint ${endpoint} answered ${Array.isArray(predictions) ? predictions.length : 'no'} predictions for ${texts.length} texts`,
      );
    }
    if (body.modelVersion) this.modelVersion = body.modelVersion;
    return predictions.map((p) =>
      (p.labels ?? []).map((l) => {
        this.thresholds.set(l.classId, l.threshold);
        return { classId: l.classId, score: l.probability };
      }),
    );
  }
}
