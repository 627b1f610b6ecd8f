/**
 * The one classify pipeline: read → chunk → cascade → results, rejects and lake rows → job accounting. It takes
 * ports (functions/ports.ts) and knows no runtime; two drivers run it.
 *
 *   batch.ts        a batch of rows → cascade items → decisions → output lines, counts, records to store;
 *                   classifyBatches: that step over a CSV reader, some batches in the cascade at once
 *   accounting.ts   a job's counts, and the check that rows in = classified + rejected
 *   queued.ts       a job over queues: its ports, its files, a chunk stored and counted once, finalize sent once
 *   ingest.ts → classify-message.ts → finalize.ts   the queued job's steps; messages.ts what travels between
 *   stored-jobs.ts  what a JobsService answers from the job store alone
 *   core/lake.ts    (beside it) the lake columns and where each comes from: the one mapping of lake rows
 *
 * Drivers: the local runtime (adapters/local/classify-file.ts: one file, checkpoints, worker threads over
 * classify-chunk.ts, DuckDB, the lake export in SQL) and the AWS handlers (functions/handlers/: an SQS event →
 * one queued step). test/e2e/one-pipeline.test.ts runs one input through both and compares what they write.
 */
