// The emulators ship without type declarations; tests use them through the narrow casts in emulators.ts.
declare module 'dynalite';
declare module 's3rver';
