import cliProgress from 'cli-progress';

/**
 * Progress of a long run on stderr: a bar (rows, rows/s, ETA) on a terminal, a plain line every few seconds
 * otherwise (CI logs, pipes). The total is in bytes of input, the only total known before the end.
 */
export class Progress {
  private readonly bar?: cliProgress.SingleBar;
  private readonly started = performance.now();
  private lastLine = 0;

  constructor(
    private readonly totalBytes: number,
    private readonly label: string,
  ) {
    const stream = process.stderr;
    if (stream.isTTY) {
      this.bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${label} {bar} {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}`,
          hideCursor: true,
          etaBuffer: 20,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(Math.max(totalBytes, 1), 0, { rows: '0', rate: '0' });
    }
  }

  update(bytes: number, rows: number): void {
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(rows / seconds) : 0;
    if (this.bar) {
      this.bar.update(Math.min(bytes, this.totalBytes), { rows: rows.toLocaleString('en-US'), rate: rate.toLocaleString('en-US') });
      return;
    }
    const now = performance.now();
    if (now - this.lastLine < 5000) return;
    this.lastLine = now;
    const fraction = this.totalBytes ? Math.min(bytes / this.totalBytes, 1) : 0;
    const eta = fraction > 0 ? Math.round((seconds / fraction) * (1 - fraction)) : undefined;
    process.stderr.write(
      `${this.label}: ${rows.toLocaleString('en-US')} rows (${Math.round(fraction * 100)}%), ${rate.toLocaleString('en-US')} rows/s` +
        `${eta === undefined ? '' : `, ETA ${eta}s`}\n`,
    );
  }

  stop(): void {
    this.bar?.stop();
  }
}
