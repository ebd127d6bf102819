// Runtime-agnostic protocol API. Node-only gzip lives in './node-gzip-codec.js' (not re-exported
// here so that a browser bundle importing this index never pulls in node:zlib).
export * from './packet.js';
export * from './packet-decode-error.js';
export * from './packet-codec.js';
export * from './gzip-codec.js';
export * from './handshake.js';
export * from './stream-framer.js';
export * from './body-codec.js';
export * from './control-command.js';
