export * from './correction';
export * from './fold';
export * from './knowledge';
export * from './state';
export * from './state-at';
export * from './tension';
export * from './timeline';
