// Placeholder so the CDK app synthesizes until the aws-runtime branch lands the real handler at this path.
export const handler = async (): Promise<never> => {
  throw new Error('the api handler is not built yet (placeholder from the aws-infra branch)');
};
