import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * One table per command: the options `parseArgs` accepts are the options `--help` lists, so the
 * help can never miss a flag. A table entry is a `parseArgs` option plus its help text.
 */

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  readonly default?: string | boolean;
  /** The value's placeholder in help (`DIR`, `N`); string options only. */
  readonly value?: string;
  readonly description: string;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

export interface CommandSpec {
  /** The word after `capflow`. */
  readonly name: string;
  /** One line for `capflow --help`. */
  readonly summary: string;
  /** Usage lines after `capflow NAME` (several for commands with actions). */
  readonly usage: readonly string[];
  /** Paragraphs after the usage lines. */
  readonly description?: string;
  readonly options: OptionTable;
  /** Further notes after the options (environment variables, formats). */
  readonly notes?: string;
}

/** Every command takes `--help`; its entry is shared so that help lists it too. */
export const HELP_OPTION = { type: 'boolean', short: 'h', default: false, description: 'print this help and exit' } as const;

const WIDTH = 100;
const FLAG_COLUMN = 28;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/ +/)) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
  }
  return lines;
}

function flagText(name: string, option: OptionSpec): string {
  const short = option.short ? `-${option.short}, ` : '    ';
  const value = option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : '';
  return `${short}--${name}${value}`;
}

/** The help text of a command, generated from its table. */
export function commandHelp(spec: CommandSpec): string {
  const [first, ...more] = spec.usage;
  const out = [`Usage: capflow ${spec.name}${first ? ` ${first}` : ''}`];
  for (const line of more) out.push(`       capflow ${spec.name}${line ? ` ${line}` : ''}`);
  out.push('', ...wrap(spec.summary, WIDTH));
  if (spec.description) out.push('', ...wrap(spec.description, WIDTH));
  out.push('', 'Options:');
  const entries = Object.entries(spec.options);
  if (!('help' in spec.options)) entries.push(['help', HELP_OPTION]);
  for (const [name, option] of entries) {
    const flag = `  ${flagText(name, option)}`;
    const extra = [option.multiple ? 'repeatable' : '', typeof option.default === 'string' && option.default !== '' ? `default ${option.default}` : '']
      .filter(Boolean)
      .join('; ');
    const text = wrap(`${option.description}${extra ? ` (${extra})` : ''}`, WIDTH - FLAG_COLUMN);
    if (flag.length + 2 <= FLAG_COLUMN) out.push(`${flag.padEnd(FLAG_COLUMN)}${text[0]}`);
    else out.push(flag, `${' '.repeat(FLAG_COLUMN)}${text[0]}`);
    for (const line of text.slice(1)) out.push(`${' '.repeat(FLAG_COLUMN)}${line}`);
  }
  if (spec.notes) out.push('', ...wrap(spec.notes, WIDTH));
  return `${out.join('\n')}\n`;
}

/** The short overview for `capflow --help`: every command with its summary. */
export function commandsOverview(specs: readonly CommandSpec[], header: string): string {
  const width = Math.max(...specs.map((spec) => spec.name.length)) + 4;
  const lines = specs.map((spec) => `  ${spec.name.padEnd(width)}${spec.summary}`);
  return `${header}\n\nUsage: capflow COMMAND [options]   (capflow COMMAND --help for its options)\n\nCommands:\n${lines.join('\n')}\n  ${'help'.padEnd(width)}this overview; --version prints the version\n`;
}

/** Where a command writes: its output and its messages. */
export interface CommandOutput {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/**
 * Reads a command line with the command's option table: the parsed values and positionals, or
 * the exit code when there is nothing more to do — 0 after printing `--help`, 2 after naming a
 * usage mistake followed by the help.
 */
export function readCommandLine<const O extends OptionTable>(
  spec: CommandSpec & { readonly options: O },
  argv: string[],
  io: CommandOutput,
  allowPositionals = false,
): { values: ParsedValues<O>; positionals: string[] } | number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: spec.options as O & NonNullable<ParseArgsConfig['options']>, strict: true, allowPositionals });
  } catch (error) {
    return usageMistake(spec, io, (error as Error).message);
  }
  const values = parsed.values as unknown as ParsedValues<O>;
  if ((values as { help?: boolean }).help) {
    io.stdout.write(commandHelp(spec));
    return 0;
  }
  return { values, positionals: parsed.positionals };
}

/** Names a usage mistake, then the help; exit code 2. */
export function usageMistake(spec: CommandSpec, io: CommandOutput, message: string): number {
  io.stderr.write(`capflow ${spec.name}: ${message}\n\n${commandHelp(spec)}`);
  return 2;
}

/** The values parseArgs gives for a table: strings and booleans, arrays where `multiple`, undefined without a default. */
export type ParsedValues<O extends OptionTable> = {
  -readonly [K in keyof O]: O[K] extends { readonly multiple: true }
    ? O[K]['type'] extends 'string' ? string[] : boolean[]
    : O[K] extends { readonly default: string | boolean }
      ? O[K]['type'] extends 'string' ? string : boolean
      : (O[K]['type'] extends 'string' ? string : boolean) | undefined;
};
