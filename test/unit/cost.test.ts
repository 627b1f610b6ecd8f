import { describe, expect, it, vi } from 'vitest';
import { run } from '../../bin/commands/cost.ts';
import {
  type CostAssumptions,
  costReport,
  DEFAULT_ASSUMPTIONS,
  idleCost,
  loadPrices,
  mixFromTierCounts,
  type Prices,
  parseMix,
  scenarioCost,
  TYPICAL_MIX,
} from '../../functions/core/cost.ts';
import { cascadeTierNames } from '../../functions/tiers/registry.ts';

const tiers = cascadeTierNames();

const prices = loadPrices();
const line = (s: { lines: { component: string; dollars: number }[] }, prefix: string) => s.lines.find((l) => l.component.startsWith(prefix))!.dollars;

describe('cost model', () => {
  it('ships a complete, dated us-east-1 price table', () => {
    expect(prices.region).toBe('us-east-1');
    expect(prices.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('prices GPU hours from throughput: products / (rate × utilization) × hourly price', () => {
    const a: CostAssumptions = { ...DEFAULT_ASSUMPTIONS, encoderProductsPerSecond: 1000, encoderUtilization: 0.5 };
    const p: Prices = { ...prices, sagemaker: { ...prices.sagemaker, instanceType: 'ml.test', perInstanceHour: 2 } };
    // 1.8M products past the rules at 500 products/s = 3600 s = 1 h → $2.
    const s = scenarioCost('t', 1_800_000, { cache: 0, rules: 0, encoder: 1, llm: 0, review: 0 }, p, { ...a, encoderHosting: 'gpu' });
    expect(line(s, 'SageMaker')).toBeCloseTo(2, 10);
    expect(line(s, 'EC2')).toBe(0);
  });

  it('prices the LLM tier from tokens per product and tokens per second', () => {
    const a: CostAssumptions = {
      ...DEFAULT_ASSUMPTIONS,
      llmPromptTokensPerProduct: 100,
      llmPrefillTokensPerSecond: 100, // 1 s
      llmOutputTokensPerProduct: 10,
      llmGenerationTokensPerSecond: 10, // + 1 s
      llmUtilization: 1,
    };
    const p: Prices = { ...prices, ec2: { instanceType: 'g.test', perInstanceHour: 3 } };
    // 1800 products × 2 s = 1 h → $3; review items also go through the LLM when it is enabled.
    const s = scenarioCost('t', 3600, { cache: 0, rules: 0.5, encoder: 0, llm: 0.25, review: 0.25 }, p, a);
    expect(line(s, 'EC2')).toBeCloseTo(3, 10);
    const off = scenarioCost('t', 3600, { cache: 0, rules: 0.5, encoder: 0, llm: 0.25, review: 0.25 }, p, { ...a, llmEnabled: false });
    expect(line(off, 'EC2')).toBeCloseTo(1.5, 10);
  });

  it('counts DynamoDB write units per stored record, index copy, cache entry and counter update', () => {
    const a: CostAssumptions = { ...DEFAULT_ASSUMPTIONS, recordWriteUnits: 1, rowsPerMessage: 100, counterWriteUnitsPerMessage: 4 };
    const p: Prices = { ...prices, dynamodb: { ...prices.dynamodb, perMillionWriteRequestUnits: 1 } };
    // 1000 products, all rules: 2 writes each (current + history) + 10 messages × 4 = 2040 WRU.
    const s = scenarioCost('t', 1000, { cache: 0, rules: 1, encoder: 0, llm: 0, review: 0 }, p, a);
    expect(line(s, 'DynamoDB writes') * 1e6).toBeCloseTo(2040, 6);
    // All LLM: + 1000 index copies + 1000 cache entries.
    const llm = scenarioCost('t', 1000, { cache: 0, rules: 0, encoder: 0, llm: 1, review: 0 }, p, a);
    expect(line(llm, 'DynamoDB writes') * 1e6).toBeCloseTo(4040, 6);
  });

  it('sums its lines and puts the cascade well below sending everything to the LLM', () => {
    const r = costReport(TYPICAL_MIX, prices);
    expect(r.cascade.total).toBeCloseTo(
      r.cascade.lines.reduce((s, l) => s + l.dollars, 0),
      10,
    );
    expect(r.allLlm.total).toBeGreaterThan(r.cascade.total);
    expect(r.savingsFactor).toBeCloseTo(r.allLlm.total / r.cascade.total, 10);
    expect(line(r.allLlm, 'SageMaker')).toBe(0);
  });

  it('prices serverless encoder work from GB-seconds and bytes processed: products × ms + requests × ms', () => {
    const a: CostAssumptions = {
      ...DEFAULT_ASSUMPTIONS,
      serverlessMemoryGb: 2,
      serverlessMsPerProduct: 1,
      serverlessMsPerRequest: 100,
      encoderBytesPerProduct: 1000,
    };
    const p: Prices = { ...prices, sagemaker: { ...prices.sagemaker, serverlessPerGbSecond: 0.5, serverlessPerGbProcessed: 10 } };
    // 1M products in 5,000 messages of 200: (1M × 1 ms + 5,000 × 100 ms) = 1,500 s × 2 GB × $0.5 = $1,500, + 1 GB × $10.
    const s = scenarioCost('t', 1_000_000, { cache: 0, rules: 0, encoder: 1, llm: 0, review: 0 }, p, a);
    expect(line(s, 'SageMaker serverless')).toBeCloseTo(1510, 6);
  });

  it('prices idle months: the GPU endpoint only when chosen, NAT gateway, key, alarm metrics, dashboard, polling, storage', () => {
    const a: CostAssumptions = { ...DEFAULT_ASSUMPTIONS, idle: { ...DEFAULT_ASSUMPTIONS.idle, alarmMetrics: 10 } };
    const idle = idleCost(prices, a);
    expect(line(idle, 'SageMaker serverless')).toBe(0);
    expect(line(idleCost(prices, { ...a, encoderHosting: 'gpu' }), 'SageMaker ml.g5')).toBeCloseTo(730 * prices.sagemaker.perInstanceHour, 6);
    expect(line(idle, 'NAT gateway')).toBeCloseTo(730 * prices.vpc.natGatewayPerHour, 6);
    expect(line(idle, 'CloudWatch alarms')).toBeCloseTo(10 * prices.cloudwatch.perAlarmMetricMonth, 10);
    expect(line(idle, 'CloudWatch dashboard')).toBe(prices.cloudwatch.perDashboardMonth);
    expect(idle.totalPerMonth).toBeCloseTo(
      idle.lines.reduce((s, l) => s + l.dollars, 0),
      10,
    );
  });

  it('parses and checks a mix, and derives one from a job’s tier counts', () => {
    expect(parseMix('cache=0.1, rules=0.4,encoder=0.5', tiers)).toEqual({ cache: 0.1, rules: 0.4, encoder: 0.5, llm: 0, review: 0 });
    expect(() => parseMix('cache=0.5', tiers)).toThrow(/sum to 0.5/);
    expect(() => parseMix('magic=1', tiers)).toThrow(/unknown tier "magic"/);
    expect(() => parseMix('rules=abc', tiers)).toThrow(/not a share/);
    expect(mixFromTierCounts({ rules: 60, human: 10, cache: 10, encoder: 20 }, tiers)).toEqual({
      cache: 0.2,
      rules: 0.6,
      encoder: 0.2,
      llm: 0,
      review: 0,
    });
    expect(() => mixFromTierCounts({}, tiers)).toThrow(/no classified products/);
  });
});

describe('aisle cost', () => {
  it('prints the comparison as JSON for a job’s measured mix', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const code = await run(['--job', 'j1', '--format', 'json'], async (id) => (id === 'j1' ? { tierCounts: { rules: 3, encoder: 1 } } : null));
    const out = JSON.parse(log.mock.calls[0][0] as string);
    log.mockRestore();
    expect(code).toBe(0);
    expect(out.mixSource).toBe('measured on job j1');
    expect(out.cascade.mix).toMatchObject({ rules: 0.75, encoder: 0.25 });
    expect(out.allLlm.total).toBeGreaterThan(out.cascade.total);
  });

  it('prints a table and refuses bad options with a clear message', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await run(['--mix', 'rules=0.9,llm=0.1']);
    const text = log.mock.calls[0][0] as string;
    log.mockRestore();
    expect(text).toMatch(/total per million products/);
    expect(text).toMatch(/Idle, per month/);
    expect(text).toMatch(/^ {2}serverless \(default\) +\$0\.0000 +\$0\.\d+ +SageMaker serverless/m);
    expect(text).toMatch(/^ {2}gpu \(-c encoderGpu=true\) +\$1028 +\$0\.\d+ +SageMaker ml\.g5\.xlarge/m);
    await expect(run(['--encoder', 'tpu'])).rejects.toThrow(/serverless or gpu/);
    await expect(run(['--mix', 'rules=0.2'])).rejects.toThrow(/sum to 0.2/);
    await expect(run(['--format', 'xml'])).rejects.toThrow(/text or json/);
    await expect(run(['--job', 'nope'], async () => null)).rejects.toThrow(/no job "nope"/);
  });
});
