import { execSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

/** The 1, 5 and 15 minute load averages, e.g. "0.52 0.61 0.70". */
export const loadAverages = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** One line naming the machine and commit, printed at the top of every bench output. */
export function machineLine(): string {
  const git = (args: string) => execSync(`git ${args}`, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  let commit = 'unknown';
  try {
    commit = git('rev-parse --short HEAD');
    if (git('status --porcelain')) commit += '+dirty';
  } catch {
    // not a git checkout
  }
  const cpu = cpus();
  return `machine: ${cpu[0]?.model ?? 'unknown cpu'} × ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version} · commit ${commit} · ${new Date().toISOString()}`;
}
