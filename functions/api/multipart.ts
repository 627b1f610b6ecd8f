/**
 * A multipart/form-data upload read as it arrives (busboy): the `file` part is handed on as a stream, to be written
 * to disk, never held in memory; the other fields are small texts, collected. The request's size limit is the
 * body stream's own (app.ts counts the bytes), so a part is never longer than it.
 */
import { PassThrough, type Readable } from 'node:stream';
import busboy from 'busboy';
import { ApiError } from './errors.ts';

export interface MultipartUpload {
  filename: string;
  /** The `file` part's bytes; errors with the request's error (a body over the limit: 413). */
  file: Readable;
  /** The other fields (text), and the names of parts that are neither a text field nor `file`; resolved once the whole form is read. */
  fields: Promise<Record<string, string>>;
}

/** Fields are option values (columns, an encoding): 8 KiB each is plenty, and bounds what a form makes us hold. */
const LIMITS = { fieldSize: 8 * 1024, fields: 50, files: 5, parts: 60 } as const;

/** Reads `body` as the form `contentType` describes; resolves when the `file` part starts (400 when the form has none). */
export function streamMultipart(contentType: string, body: Readable): Promise<MultipartUpload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, limits: LIMITS });
    } catch (err) {
      reject(new ApiError(400, 'invalid_request', `not a readable multipart form: ${(err as Error).message}`));
      return;
    }
    const fields: Record<string, string> = {};
    let file: PassThrough | undefined;
    let settle!: { resolve: (f: Record<string, string>) => void; reject: (e: Error) => void };
    const allFields = new Promise<Record<string, string>>((res, rej) => {
      settle = { resolve: res, reject: rej };
    });
    // Read only if the file part came (and the form fails), never left unhandled.
    allFields.catch(() => {});
    const fail = (err: Error) => {
      const error = err instanceof ApiError ? err : new ApiError(400, 'invalid_request', `not a readable multipart form: ${err.message}`);
      body.unpipe(parser);
      body.resume();
      if (file) file.destroy(error);
      settle.reject(error);
      reject(error);
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new ApiError(400, 'invalid_request', `form field "${name}" is longer than ${LIMITS.fieldSize} bytes`));
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || file) {
        // Named as a field, so the option check refuses it with its name; its bytes are dropped as they come.
        fields[name] = '';
        stream.resume();
        return;
      }
      file = new PassThrough();
      stream.pipe(file);
      resolve({ filename: info.filename ?? '', file, fields: allFields });
    });
    for (const limit of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const)
      parser.on(limit, () =>
        fail(
          new ApiError(
            400,
            'invalid_request',
            `the form has too many parts: at most ${LIMITS.fields} fields and ${LIMITS.files} files (one named "file")`,
          ),
        ),
      );
    parser.on('error', (err: Error) => fail(err));
    body.on('error', (err) => fail(err));
    parser.on('close', () => {
      settle.resolve(fields);
      if (!file)
        reject(
          new ApiError(400, 'invalid_request', 'the form has no CSV file', [{ path: 'file', message: 'attach the CSV as the form field "file"' }]),
        );
    });
    body.pipe(parser);
  });
}
