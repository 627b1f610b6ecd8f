import { handle } from 'hono/aws-lambda';
import { createApp } from '../api/app.ts';
import { awsApiDeps } from './api-deps.ts';
import { observed } from './observability.ts';

export const handler = observed('api', handle(createApp(awsApiDeps())));
