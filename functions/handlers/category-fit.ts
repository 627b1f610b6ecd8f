/**
 * The category-fit function (EventBridge schedule, lib/vectors.ts): fits each tenant's category model where its
 * labels changed, stores it in the lake, and re-vectorizes the tenant's items in the S3 Vectors index with it
 * (functions/adapters/aws/s3-category-models.ts refitChanged). The API, classify and the LLM worker read the model
 * it stores; none of them fits one, so a fit never holds a request.
 */

import { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import type { Context } from 'aws-lambda';
import { type RefitDeps, refitChanged } from '../adapters/aws/s3-category-models.ts';
import { S3VectorsIndex } from '../adapters/aws/s3-vectors.ts';
import { configOf } from '../config/deployables.ts';
import { labelledNamesOf } from '../similar/tenant-categories.ts';
import { bundledNames } from './item-vectors.ts';
import { observed } from './observability.ts';
import { awsDeps } from './step-deps.ts';

/** One run over the tenants whose labels changed; what it did, for the log. */
export const makeHandler = (deps: (context: Context) => RefitDeps) => async (_event: unknown, context: Context) => refitChanged(deps(context));

export const handler = observed(
  'category-fit',
  makeHandler((context) => {
    const config = configOf('category-fit');
    const pipeline = awsDeps('category-fit');
    const { embedder, names } = bundledNames();
    return {
      lake: pipeline.lake,
      embedder,
      names,
      labels: labelledNamesOf(pipeline.results),
      index: new S3VectorsIndex(new S3VectorsClient({}), { indexArn: config.vectorIndexArn }),
      remainingMs: () => context.getRemainingTimeInMillis(),
      log: (message, detail) => pipeline.logger.info(message, detail),
    };
  }),
);
