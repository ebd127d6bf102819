// The wire's numbers in one import: response statuses, business and HTTP error codes, close codes.
export * from './error-codes.js';
export * from './close-code.js';
