import { describe, expect, it } from 'vitest';
import { newJobId, uploadKey, uploadOfKey } from '../../functions/core/job-ids.ts';

describe('upload keys (AWS inbox)', () => {
  it("carry the tenant and the job id the API handed out; a key from before tenants is the default tenant's", () => {
    const jobId = newJobId(new Date('2026-12-06T23:00:00Z'));
    expect(uploadKey('acme', jobId, '../My Catalog.csv')).toBe(`inbox/uploads/acme/${jobId}/My_Catalog.csv`);
    expect(uploadOfKey(uploadKey('acme', jobId, 'x.csv'))).toEqual({ tenant: 'acme', jobId });
    expect(uploadOfKey(`inbox/uploads/${jobId}/x.csv`)).toEqual({ tenant: 'default', jobId });
    for (const other of ['inbox/x.csv', `inbox/uploads/Acme/${jobId}/x.csv`, `inbox/uploads/acme/${jobId}/deeper/x.csv`]) {
      expect(uploadOfKey(other), other).toBeUndefined();
    }
  });
});
