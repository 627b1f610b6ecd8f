import { handle } from 'hono/aws-lambda';
import { createApp } from '../api/app.ts';
import { awsApiDeps } from './api-deps.ts';

export const handler = handle(createApp(awsApiDeps()));
