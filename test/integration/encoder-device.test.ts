import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OnnxEncoder } from '../../functions/model/encoder.ts';
import { STARTER_DIR } from '../../models/starter/train-starter.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVER = join(ROOT, 'containers/encoder/server.ts');
// The CUDA provider ships as a separate library, fetched by onnxruntime-node's install step with ONNXRUNTIME_NODE_INSTALL=cuda12.
const ortBin = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', `${process.platform}`, process.arch);
const hasCuda = existsSync(join(ortBin, 'libonnxruntime_providers_cuda.so'));

/** Runs the container's entry until it logs the model loaded (then stops it) or exits; returns its JSON log lines. */
function runServer(device: string): Promise<{ code: number | null; logs: Record<string, unknown>[] }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', MODEL_DIR: STARTER_DIR, ENCODER_THREADS: '1', ENCODER_DEVICE: device },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const logs = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`no answer in 60 s:\n${out}`));
    }, 60_000);
    const onData = (d: Buffer) => {
      out += d;
      if (logs().some((l) => l.message === 'encoder model loaded')) proc.kill('SIGTERM');
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, logs: logs() });
    });
  });
}

describe('the encoder container asks for the execution provider it is configured with', () => {
  it('ENCODER_DEVICE=cpu (the default): loads on the CPU provider and logs it', async () => {
    const { logs } = await runServer('cpu');
    expect(logs).toContainEqual(expect.objectContaining({ message: 'encoder model loaded', executionProvider: 'cpu' }));
  }, 90_000);

  it.skipIf(hasCuda)(
    'ENCODER_DEVICE=cuda without the CUDA provider: fails at start, never serves on the CPU',
    async () => {
      const { code, logs } = await runServer('cuda');
      expect(code).toBe(1);
      expect(logs).not.toContainEqual(expect.objectContaining({ message: 'encoder model loaded' }));
      const failure = logs.find((l) => l.level === 'error');
      expect(failure).toMatchObject({ executionProvider: 'cuda' });
      expect(String(failure?.error)).toMatch(/on cuda: .*cuda/i);
    },
    90_000,
  );

  it.runIf(hasCuda)(
    'ENCODER_DEVICE=cuda with the CUDA provider installed: loads on CUDA and logs it',
    async () => {
      const { logs } = await runServer('cuda');
      expect(logs).toContainEqual(expect.objectContaining({ message: 'encoder model loaded', executionProvider: 'cuda' }));
    },
    90_000,
  );

  it('OnnxEncoder.load passes the device to ONNX Runtime', async () => {
    const load = OnnxEncoder.load(STARTER_DIR, { device: 'cuda', threads: 1 });
    if (hasCuda) await expect(load).resolves.toBeInstanceOf(OnnxEncoder);
    else await expect(load).rejects.toThrow(/cannot load model.onnx on cuda: .*Cuda/);
  });
});
