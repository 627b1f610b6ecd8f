import { spawnSync } from 'node:child_process';

/**
 * Whether an optional tool (moto_server, chromium) is on PATH. Absent: tests that need it skip with a printed
 * reason — unless AISLE_REQUIRE_ALL=1 (CI), where the absence is an error, so no test silently skips there.
 */
export function toolAvailable(tool: string, purpose: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  if (found) return true;
  const reason = `${tool} not found on PATH: skipping ${purpose}`;
  if (process.env.AISLE_REQUIRE_ALL === '1') throw new Error(`${reason} is not allowed with AISLE_REQUIRE_ALL=1`);
  console.warn(reason);
  return false;
}
