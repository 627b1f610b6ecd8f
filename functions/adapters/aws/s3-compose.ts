/**
 * One S3 object from others without downloading them: a multipart upload whose parts are `UploadPartCopy`s of
 * the sources, copied inside S3. S3 wants every part but the last to be 5 MiB or more, so sources under that are
 * read and uploaded together with their neighbours (composeParts plans which).
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';

/** S3's limits on a multipart upload's parts. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PART_BYTES = 5 * 1024 * 1024 * 1024;
export const MAX_PARTS = 10_000;

/** A part of the composed object: one source copied inside S3, or consecutive sources read and uploaded as one. */
export type ComposedPart = { copy: number } | { read: number[] };

/**
 * The parts for sources of these sizes, in order: a source of MIN_PART_BYTES or more is copied; smaller ones are
 * gathered, with the sources after them, until the gathered bytes reach MIN_PART_BYTES (a small segment is read
 * with its neighbour); what is left at the end is the last part, which may be small. Empty sources are skipped.
 */
export function composeParts(sizes: number[], minPart = MIN_PART_BYTES): ComposedPart[] {
  const parts: ComposedPart[] = [];
  let gathered: number[] = [];
  let gatheredBytes = 0;
  sizes.forEach((size, i) => {
    if (size > MAX_PART_BYTES) throw new Error(`source ${i} is ${size} bytes: over S3's 5 GiB part limit`);
    if (!size) return;
    if (!gathered.length && size >= minPart) {
      parts.push({ copy: i });
      return;
    }
    gathered.push(i);
    gatheredBytes += size;
    if (gatheredBytes >= minPart) {
      parts.push({ read: gathered });
      gathered = [];
      gatheredBytes = 0;
    }
  });
  if (gathered.length) parts.push({ read: gathered });
  if (parts.length > MAX_PARTS) throw new Error(`${parts.length} parts: over S3's ${MAX_PARTS}-part limit`);
  return parts;
}

export async function composeObjects(s3: S3Client, bucket: string, key: string, sources: string[], contentType?: string): Promise<void> {
  const sizes = await Promise.all(
    sources.map(async (source) => (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: source }))).ContentLength ?? 0),
  );
  const read = async (indexes: number[]) => {
    const bodies = [];
    for (const i of indexes) {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: sources[i] }));
      bodies.push(await out.Body!.transformToByteArray());
    }
    return Buffer.concat(bodies);
  };
  const parts = composeParts(sizes);
  if (parts.length <= 1) {
    // Small enough to be one part: one PUT (an empty object when every source is empty).
    const only = parts[0];
    const body = !only ? Buffer.alloc(0) : 'copy' in only ? await read([only.copy]) : await read(only.read);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    return;
  }
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }));
  try {
    const etags: { ETag: string; PartNumber: number }[] = [];
    // One part at a time: a Lambda holds at most one read group (a small source and its neighbour) in memory.
    for (const [n, part] of parts.entries()) {
      const PartNumber = n + 1;
      if ('copy' in part) {
        const copySource = `${bucket}/${sources[part.copy].split('/').map(encodeURIComponent).join('/')}`;
        const out = await s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, CopySource: copySource }));
        etags.push({ ETag: out.CopyPartResult!.ETag!, PartNumber });
      } else {
        const out = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, Body: await read(part.read) }));
        etags.push({ ETag: out.ETag!, PartNumber });
      }
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: etags } }));
  } catch (err) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })).catch(() => {});
    throw err;
  }
}
