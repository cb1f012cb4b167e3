/** Injection tokens for what the start-up step opens before Nest starts. */
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const INFRASTRUCTURE = Symbol('INFRASTRUCTURE');
