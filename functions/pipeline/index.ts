/**
 * The one classify pipeline: read → chunk → cascade → results, rejects and lake rows → job accounting, over
 * ports (functions/ports.ts), knowing no runtime. batch.ts: a batch of rows through the cascade into output
 * lines, counts and records to store, and the loop over a CSV reader; accounting.ts: a job's counts and the
 * check rows in = classified + rejected; queued.ts, ingest.ts → classify-message.ts → finalize.ts: a job over
 * queues, step by step; stored-jobs.ts: what a JobsService answers from the job store. Lake rows are mapped in
 * core/lake.ts (LAKE_COLUMNS: each column's source). Two drivers: the local runtime (adapters/local/
 * classify-file.ts: one file, checkpoints, worker threads, DuckDB) and the AWS handlers (functions/handlers/:
 * an SQS event → one queued step); test/e2e/one-pipeline.test.ts runs one input through both.
 */
