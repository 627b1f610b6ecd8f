import { execSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

/** One line naming the machine and commit, printed at the top of every bench output. */
export function machineLine(): string {
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    if (
      execSync('git status --porcelain', { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim()
    )
      commit += '+dirty';
  } catch {
    // not a git checkout
  }
  const cpu = cpus();
  return `machine: ${cpu[0]?.model ?? 'unknown cpu'} × ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version} · commit ${commit} · ${new Date().toISOString()}`;
}
