#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// A reader that stops early (`capflow export … | head -1`) closes the pipe: that ends the command
// quietly with success, as it would for any Unix filter, instead of an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error && error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

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
