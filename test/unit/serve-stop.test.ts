/** How `aisle serve` stops: what the first Ctrl-C says it waits for, and what a second one does. */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { untilStopped } from '../../bin/commands/serve.ts';
import { LocalJobsService } from '../../functions/adapters/local/jobs-service.ts';
import { MemoryJobs } from '../support/memory-jobs.ts';

const processing = join('/srv', 'inbox', 'processing');

function stopWatch(running: { id: string; input: string }[]) {
  const signals = new EventEmitter();
  const said: string[] = [];
  const exits: number[] = [];
  let stopped = false;
  void untilStopped({ running: () => running, inboxProcessing: processing, signals, say: (l) => said.push(l), exitNow: (c) => exits.push(c) }).then(
    () => {
      stopped = true;
    },
  );
  return { signals, said, exits, stopped: () => stopped };
}

describe('aisle serve on Ctrl-C', () => {
  it('says how many running jobs it waits for, of which kind, and what a second Ctrl-C leaves of them', async () => {
    const w = stopWatch([
      { id: 'j-20261208T000000-aaaaaa', input: join(processing, 'j-20261208T000000-aaaaaa-catalog.csv') },
      { id: 'j-20261208T000000-bbbbbb', input: join('/srv', 'home', 'uploads', 'j-20261208T000000-bbbbbb-upload.csv') },
      { id: 'j-20261208T000000-cccccc', input: join(processing, 'j-20261208T000000-cccccc-more.csv') },
    ]);
    w.signals.emit('SIGINT');
    await Promise.resolve();
    expect(w.stopped()).toBe(true);
    expect(w.said).toEqual([
      'aisle serve: stopping: waiting for 3 running jobs to finish (2 from the inbox, 1 uploaded). Ctrl-C again stops now: ' +
        "an inbox file's job runs again from the start at the next `aisle serve`; an uploaded job is not resumed: it stays unfinished, upload its file again",
    ]);
    expect(w.exits).toEqual([]);

    w.signals.emit('SIGINT');
    expect(w.said[1]).toBe('aisle serve: stopped at once (3 jobs left unfinished)');
    expect(w.exits).toEqual([130]);
  });

  it('says only that it stops when no job runs; a SIGTERM after it exits 143', async () => {
    const w = stopWatch([]);
    w.signals.emit('SIGTERM');
    await Promise.resolve();
    expect(w.stopped()).toBe(true);
    expect(w.said).toEqual(['aisle serve: stopping']);
    w.signals.emit('SIGTERM');
    expect(w.exits).toEqual([143]);
  });
});

describe('the jobs a stopping server waits for', () => {
  it('are the running ones, with their input files, until each ends', async () => {
    let finish = () => {};
    const jobs = new LocalJobsService({
      home: '/unused',
      jobs: new MemoryJobs(),
      csvRaw: false,
      run: () => new Promise<void>((done) => (finish = done)),
    });
    const input = join(processing, 'j-20261208T000000-dddddd-catalog.csv');
    await jobs.start('j-20261208T000000-dddddd', input);
    expect(jobs.runningJobs()).toEqual([{ id: 'j-20261208T000000-dddddd', input }]);
    finish();
    await jobs.idle();
    expect(jobs.runningJobs()).toEqual([]);
  });
});
