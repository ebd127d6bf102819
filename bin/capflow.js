#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// A failed command ends now, even if something it opened (a pool, a socket) were still open.
const exitSoon = (code) => setTimeout(() => process.exit(code), 1_000).unref();

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    if (code !== 0) exitSoon(code);
  },
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
    exitSoon(1);
  },
);
