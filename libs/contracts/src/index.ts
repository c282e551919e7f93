// Shared contracts of the Toolgate API and console: zod schemas and their inferred types.
export * from './roles';
export * from './errors';
export * from './common';
export * from './auth';
export * from './tenants';
export * from './groups';
export * from './api-keys';
export * from './tools';
export * from './sources';
export * from './call-logs';
export * from './audit';
export * from './stats';
export * from './usage';
