/**
 * The AWS cost model: dollars per million products for a tier mix, from a price table (models/prices.json)
 * and stated throughput assumptions, side by side with sending every product to the LLM; plus what the
 * deployment costs a month when idle. Pure arithmetic: every figure is a line with its formula inputs.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CACHE_TIER, HUMAN_TIER, REVIEW_TIER } from './types.ts';

/** Share of products decided by each tier of the cascade (tiers/registry.ts), in its order; sums to 1. Human labels count as cache hits. */
export type Mix = Record<string, number>;

/** A typical first run over a new catalog, when no job is given: most decided by rules and the encoder. */
export const TYPICAL_MIX: Mix = { cache: 0.05, rules: 0.35, encoder: 0.45, llm: 0.12, review: 0.03 };

const price = z.number().positive();

export const pricesSchema = z.object({
  region: z.string(),
  currency: z.literal('USD'),
  read: z.string(),
  source: z.string(),
  lambda: z.object({ perGbSecondArm64: price, perMillionRequests: price }),
  sqs: z.object({ perMillionRequests: price, billedPayloadBytes: price }),
  dynamodb: z.object({ perMillionWriteRequestUnits: price, perMillionReadRequestUnits: price, storagePerGbMonth: price }),
  /** The GPU endpoint's instance, and serverless inference (compute per GB of memory per second, data in and out). */
  sagemaker: z.object({ instanceType: z.string(), perInstanceHour: price, serverlessPerGbSecond: price, serverlessPerGbProcessed: price }),
  ec2: z.object({ instanceType: z.string(), perInstanceHour: price }),
  vpc: z.object({ natGatewayPerHour: price, natPerGbProcessed: price, publicIpv4PerHour: price }),
  kms: z.object({ perKeyMonth: price }),
  s3: z.object({ perThousandPut: price, perThousandGet: price, storagePerGbMonth: price }),
  athena: z.object({ perTbScanned: price }),
  /** An alarm bills per metric it reads (a metric-math alarm per metric in its expression). */
  cloudwatch: z.object({ perAlarmMetricMonth: z.number().nonnegative(), perDashboardMonth: z.number().nonnegative() }),
});
export type Prices = z.infer<typeof pricesSchema>;

export const DEFAULT_PRICES_PATH = new URL('../../models/prices.json', import.meta.url);

export function loadPrices(file: string | URL = DEFAULT_PRICES_PATH): Prices {
  return pricesSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/**
 * Where the encoder runs (lib/encoder.ts): `serverless` (the default: SageMaker Serverless Inference on CPU,
 * the project's own small model, nothing billed when idle) or `gpu` (`-c encoderGpu=true`: a real-time
 * ml.g5.xlarge for DeBERTa on CUDA, billed every hour).
 */
export const ENCODER_HOSTINGS = ['serverless', 'gpu'] as const;
export type EncoderHosting = (typeof ENCODER_HOSTINGS)[number];

/** What the model assumes about the workload and the hardware; every default is stated here and in docs/aws.md. */
export const DEFAULT_ASSUMPTIONS = {
  /** Average input CSV row, bytes. */
  rowBytes: 120,
  /** Rows per classify-queue message (ingest's chunking). */
  rowsPerMessage: 200,
  /** Messages per classify Lambda invocation (event source batch size). */
  messagesPerInvocation: 10,
  lambdaMemoryGb: 1,
  /** Lambda compute per row in each handler, ms (parsing, cascade on CPU, serialization). */
  lambdaMsPerRow: { ingest: 0.02, classify: 0.25, finalize: 0.02 },
  /** Fixed wall time per classify invocation (DynamoDB, S3, SQS round trips), ms. */
  classifyMsPerInvocation: 300,
  /** Write units per stored record (item of 1–2 KB): written twice (current + history). */
  recordWriteUnits: 2,
  /** Read units per cache lookup (one eventually consistent get of ≤ 4 KB: half a unit, billed as one). */
  cacheReadUnits: 1,
  /** Write units per counted message: the conditional update of a count shard (≤ 1000 chunk ids, ~6 KB on average). */
  counterWriteUnitsPerMessage: 7,
  /** Bytes a product keeps in DynamoDB (current, history, cache). */
  storedBytesPerProduct: 3_000,
  encoderHosting: 'serverless' as EncoderHosting,
  /** GPU endpoint: DeBERTa's throughput on one instance at full load, products/s, and the utilization autoscaling keeps. */
  encoderProductsPerSecond: 800,
  encoderUtilization: 0.6,
  /**
   * Serverless endpoint (lib/encoder.ts SERVERLESS_CAPACITY): memory billed, the starter model's CPU time per
   * product (measured: ~0.12 ms on one busy core, tokenizer included), the fixed time of a request, and the
   * bytes per product in and out (text in; top-3 classes with labels out).
   */
  serverlessMemoryGb: 2,
  serverlessMsPerProduct: 0.15,
  serverlessMsPerRequest: 20,
  encoderBytesPerProduct: 460,
  /** LLM tokens per product (the taxonomy prompt shared by a batch of products), and Ollama's speed on one GPU. */
  llmPromptTokensPerProduct: 150,
  llmOutputTokensPerProduct: 25,
  llmPrefillTokensPerSecond: 2_500,
  llmGenerationTokensPerSecond: 150,
  llmUtilization: 0.8,
  /** Whether items no tier is sure of went through the LLM before review. */
  llmEnabled: true,
  /** Bytes per row in the results lake and in the output CSV. */
  lakeBytesPerRow: 300,
  outputBytesPerRow: 220,
  /** How often the insights queries scan a job's lake partition. */
  athenaScansPerJob: 10,
  /**
   * Idle: what runs with no traffic in the default stack (test/infra/idle-cost.test.ts reads the counts off the
   * synthesized template): the GPU instances (none: the ECS service scales to zero), one NAT gateway and its
   * public IPv4 address (the VPC of the ECS work), the alerts topic's KMS key, the alarms' metrics and the
   * dashboard, queues polled by Lambda, stored products. Lambda's SQS pollers long-poll (20 s) each queue even
   * with no traffic: about 5 pollers × 3 a minute.
   */
  idle: {
    ec2MinInstances: 0,
    natGateways: 1,
    kmsKeys: 1,
    alarmMetrics: 41,
    dashboards: 1,
    polledQueues: 4,
    pollerRequestsPerQueueMonth: 648_000,
    storedProducts: 1_000_000,
  },
};
export type CostAssumptions = typeof DEFAULT_ASSUMPTIONS;

export interface CostLine {
  component: string;
  /** What the figure counts, in words. */
  basis: string;
  dollars: number;
}

export interface Scenario {
  name: string;
  mix: Mix;
  lines: CostLine[];
  total: number;
}

export interface CostReport {
  productsPer: number;
  prices: { region: string; read: string; source: string };
  cascade: Scenario;
  allLlm: Scenario;
  /** allLlm.total / cascade.total. */
  savingsFactor: number;
  idle: { lines: CostLine[]; totalPerMonth: number };
  encoderOptions: EncoderOption[];
}

const MILLION = 1_000_000;

const line = (component: string, basis: string, dollars: number): CostLine => ({ component, basis, dollars });

const noShares = (tiers: readonly string[]): Mix => Object.fromEntries(tiers.map((t) => [t, 0]));

/** Parses "cache=0.1,rules=0.4,…" for the cascade's `tiers`: tiers left out count 0; the shares must sum to 1 (± 0.01). */
export function parseMix(text: string, tiers: readonly string[]): Mix {
  const mix = noShares(tiers);
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [tier, value] = part.split('=').map((s) => s.trim());
    if (!tiers.includes(tier)) throw new Error(`unknown tier "${tier}" in --mix: expected ${tiers.join(', ')}`);
    const n = Number(value);
    if (!value || !Number.isFinite(n) || n < 0) throw new Error(`--mix ${tier}: "${value ?? ''}" is not a share between 0 and 1`);
    mix[tier] = n;
  }
  return checkMix(mix);
}

export function checkMix(mix: Mix): Mix {
  const sum = Object.values(mix).reduce((s, n) => s + n, 0);
  if (Math.abs(sum - 1) > 0.01) throw new Error(`tier shares sum to ${round(sum, 4)}, not 1`);
  return mix;
}

/** The measured mix of a job from its counts by deciding tier (human labels count as cache hits). */
export function mixFromTierCounts(tierCounts: Record<string, number>, tiers: readonly string[]): Mix {
  const mix = noShares(tiers);
  let total = 0;
  for (const [tier, n] of Object.entries(tierCounts)) {
    const key = tier === HUMAN_TIER ? CACHE_TIER : tier;
    if (!(key in mix)) continue;
    mix[key] += n;
    total += n;
  }
  if (!total) throw new Error('the job has no classified products to take a tier mix from');
  for (const t of tiers) mix[t] /= total;
  return mix;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * The encoder's cost for `products` products sent in `requests` requests (one per classify message): GPU hours
 * at the assumed throughput and utilization, or serverless GB-seconds plus the bytes processed.
 */
export function encoderLine(products: number, requests: number, prices: Prices, a: CostAssumptions): CostLine {
  if (a.encoderHosting === 'gpu') {
    const hours = products / (a.encoderProductsPerSecond * a.encoderUtilization * 3600);
    return line(
      `SageMaker ${prices.sagemaker.instanceType} (encoder)`,
      `${round(hours, 3)} h for ${Math.round(products)} products`,
      hours * prices.sagemaker.perInstanceHour,
    );
  }
  const seconds = (products * a.serverlessMsPerProduct + requests * a.serverlessMsPerRequest) / 1000;
  const gb = (products * a.encoderBytesPerProduct) / 1e9;
  return line(
    'SageMaker serverless (encoder)',
    `${round(seconds * a.serverlessMemoryGb, 1)} GB-s, ${round(gb, 3)} GB for ${Math.round(products)} products`,
    seconds * a.serverlessMemoryGb * prices.sagemaker.serverlessPerGbSecond + gb * prices.sagemaker.serverlessPerGbProcessed,
  );
}

/** Dollars to process `products` products with the given mix; `encoderInPath` false skips the encoder (all-LLM). */
export function scenarioCost(name: string, products: number, mix: Mix, prices: Prices, a: CostAssumptions, encoderInPath = true): Scenario {
  const messages = products / a.rowsPerMessage;
  const invocations = messages / a.messagesPerInvocation;
  const share = (tier: string) => mix[tier] ?? 0;
  const afterRules = products * (share('encoder') + share('llm') + share(REVIEW_TIER));
  const toLlm = products * (share('llm') + (a.llmEnabled ? share(REVIEW_TIER) : 0));
  const gbSeconds =
    (a.lambdaMemoryGb *
      (products * (a.lambdaMsPerRow.ingest + a.lambdaMsPerRow.classify + a.lambdaMsPerRow.finalize) + invocations * a.classifyMsPerInvocation)) /
    1000;
  // Each 64 KiB of a request's payload bills as one request; a message is sent, received and deleted (batched by 10).
  const messageBytes = a.rowsPerMessage * a.rowBytes * 1.4;
  const perMessageUnits = Math.max(1 / a.messagesPerInvocation, messageBytes / prices.sqs.billedPayloadBytes);
  const llmMessages = toLlm / a.rowsPerMessage;
  const sqsRequests = (messages + llmMessages) * (2 * perMessageUnits + 1 / a.messagesPerInvocation);
  // Stored twice (current + history), plus the GSI copy for review/LLM items, the cache entry of expensive
  // tiers, and the count-shard update per message (plus the job read after it).
  const indexed = products * (share('llm') + share(REVIEW_TIER));
  const cached = products * (share('encoder') + share('llm'));
  const wru = products * a.recordWriteUnits * 2 + indexed * a.recordWriteUnits + cached + messages * a.counterWriteUnitsPerMessage;
  const rru = products * a.cacheReadUnits + messages;
  const multipartParts = Math.ceil((products * a.outputBytesPerRow) / (5 * 1024 * 1024));
  const puts = messages + multipartParts + 3;
  const gets = messages + 1;
  const encoderProducts = encoderInPath ? afterRules : 0;
  const secondsPerLlmProduct =
    a.llmPromptTokensPerProduct / a.llmPrefillTokensPerSecond + a.llmOutputTokensPerProduct / a.llmGenerationTokensPerSecond;
  const llmHours = (toLlm * secondsPerLlmProduct) / 3600 / a.llmUtilization;
  const scannedTb = (products * a.lakeBytesPerRow * a.athenaScansPerJob) / 1e12;

  const lines = [
    line('Lambda compute', `${round(gbSeconds, 1)} GB-s`, gbSeconds * prices.lambda.perGbSecondArm64),
    line('Lambda requests', `${Math.ceil(invocations)} invocations`, (invocations * prices.lambda.perMillionRequests) / MILLION),
    line('SQS requests', `${Math.ceil(sqsRequests)} requests`, (sqsRequests * prices.sqs.perMillionRequests) / MILLION),
    line('DynamoDB writes', `${Math.ceil(wru)} WRU`, (wru * prices.dynamodb.perMillionWriteRequestUnits) / MILLION),
    line('DynamoDB reads', `${Math.ceil(rru)} RRU`, (rru * prices.dynamodb.perMillionReadRequestUnits) / MILLION),
    line('S3 requests', `${Math.ceil(puts)} PUT, ${Math.ceil(gets)} GET`, (puts * prices.s3.perThousandPut + gets * prices.s3.perThousandGet) / 1000),
    encoderLine(encoderProducts, encoderProducts ? messages : 0, prices, a),
    line(
      `EC2 ${prices.ec2.instanceType} (Ollama)`,
      `${round(llmHours, 2)} h for ${Math.round(toLlm)} products`,
      llmHours * prices.ec2.perInstanceHour,
    ),
    line('Athena', `${round(scannedTb * 1000, 3)} GB scanned`, scannedTb * prices.athena.perTbScanned),
  ];
  return { name, mix, lines, total: lines.reduce((s, l) => s + l.dollars, 0) };
}

const HOURS_PER_MONTH = 730;

/** An idle month of the encoder: nothing serverless; one GPU instance around the clock (real-time endpoints keep one). */
export function encoderIdleLine(hosting: EncoderHosting, prices: Prices): CostLine {
  return hosting === 'gpu'
    ? line(
        `SageMaker ${prices.sagemaker.instanceType} (encoder)`,
        `1 instance × ${HOURS_PER_MONTH} h (a real-time endpoint keeps one)`,
        HOURS_PER_MONTH * prices.sagemaker.perInstanceHour,
      )
    : line('SageMaker serverless (encoder)', 'billed per request only', 0);
}

/** What the deployment costs a month with no traffic. */
export function idleCost(prices: Prices, a: CostAssumptions): { lines: CostLine[]; totalPerMonth: number } {
  const hours = HOURS_PER_MONTH;
  const i = a.idle;
  const storedGb = (i.storedProducts * a.storedBytesPerProduct) / 1e9;
  const lakeGb = (i.storedProducts * (a.lakeBytesPerRow + a.outputBytesPerRow + a.rowBytes)) / 1e9;
  const lines: CostLine[] = [
    encoderIdleLine(a.encoderHosting, prices),
    line(
      `EC2 ${prices.ec2.instanceType} (Ollama)`,
      `${i.ec2MinInstances} instance(s) × ${hours} h (the ECS service scales to zero)`,
      i.ec2MinInstances * hours * prices.ec2.perInstanceHour,
    ),
    line('NAT gateway', `${i.natGateways} × ${hours} h (VPC of the ECS work), before data`, i.natGateways * hours * prices.vpc.natGatewayPerHour),
    line('Public IPv4 address', `${i.natGateways} (the NAT gateway's) × ${hours} h`, i.natGateways * hours * prices.vpc.publicIpv4PerHour),
    line('KMS key', `${i.kmsKeys} customer-managed key (alerts topic)`, i.kmsKeys * prices.kms.perKeyMonth),
    line('CloudWatch alarms', `${i.alarmMetrics} alarm metrics`, i.alarmMetrics * prices.cloudwatch.perAlarmMetricMonth),
    line('CloudWatch dashboard', `${i.dashboards} dashboard`, i.dashboards * prices.cloudwatch.perDashboardMonth),
    line(
      'SQS idle polling',
      `${i.polledQueues} queues × ${i.pollerRequestsPerQueueMonth} long polls`,
      (i.polledQueues * i.pollerRequestsPerQueueMonth * prices.sqs.perMillionRequests) / MILLION,
    ),
    line('DynamoDB storage', `${round(storedGb, 2)} GB for ${i.storedProducts} products`, storedGb * prices.dynamodb.storagePerGbMonth),
    line('S3 storage', `${round(lakeGb, 2)} GB (inbox, outbox, lake)`, lakeGb * prices.s3.storagePerGbMonth),
  ];
  return { lines, totalPerMonth: lines.reduce((s, l) => s + l.dollars, 0) };
}

/** One way to host the encoder: what it adds to an idle month, and what a million products' encoder work costs on it. */
export interface EncoderOption {
  hosting: EncoderHosting;
  idle: CostLine;
  perMillion: CostLine;
}

/** Each encoder hosting side by side, for the same mix (the products past the rules go to the encoder). */
export function encoderOptions(mix: Mix, prices: Prices, a: CostAssumptions): EncoderOption[] {
  const afterRules = MILLION * ((mix.encoder ?? 0) + (mix.llm ?? 0) + (mix[REVIEW_TIER] ?? 0));
  const requests = afterRules ? MILLION / a.rowsPerMessage : 0;
  return ENCODER_HOSTINGS.map((hosting) => ({
    hosting,
    idle: encoderIdleLine(hosting, prices),
    perMillion: encoderLine(afterRules, requests, prices, { ...a, encoderHosting: hosting }),
  }));
}

export function costReport(mix: Mix, prices: Prices, a: CostAssumptions = DEFAULT_ASSUMPTIONS, products = MILLION): CostReport {
  const cascade = scenarioCost('cascade', products, checkMix(mix), prices, a);
  const allLlm = scenarioCost('every product to the LLM', products, { ...noShares(Object.keys(mix)), llm: 1 }, prices, a, false);
  return {
    productsPer: products,
    prices: { region: prices.region, read: prices.read, source: prices.source },
    cascade,
    allLlm,
    savingsFactor: allLlm.total / cascade.total,
    idle: idleCost(prices, a),
    encoderOptions: encoderOptions(mix, prices, a),
  };
}
