// @capflow/protocol ships the .proto files beside their generated code: copy them from the repository's proto/.
import { cpSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packages = dirname(fileURLToPath(import.meta.url));
cpSync(resolve(packages, '../proto'), resolve(packages, 'protocol/proto'), { recursive: true, filter: (path) => !path.endsWith('.yaml') });
