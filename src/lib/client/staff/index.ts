// The staff laptop's data, one file per job; the store loads them together, lazily.
export * from './handles.ts';
export * from './sync.ts';
export * from './refusals.ts';
export { abandonChange } from './push.ts';
export * from './revisions.ts';
export * from './reads.ts';
export * from './moderation.ts';
export * from './report.ts';
