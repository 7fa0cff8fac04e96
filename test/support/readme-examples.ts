import { readFileSync } from 'node:fs';

/**
 * The README's examples as the README-examples e2e test runs them: fenced code blocks, shell
 * commands split out of them, and the `# => ...` answers the README shows after a command, read as
 * patterns (`…` matches anything, `<NAME>` binds a value that later commands use).
 */
export interface CodeBlock {
  lang: string;
  code: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
}

export function readmeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  let open: { lang: string; line: number; indent: string; body: string[] } | null = null;
  lines.forEach((text, i) => {
    const fence = /^(\s*)```(\S*)\s*$/.exec(text);
    if (!open && fence) {
      open = { lang: fence[2], line: i + 1, indent: fence[1], body: [] };
    } else if (open && fence) {
      blocks.push({ lang: open.lang, code: open.body.join('\n'), line: open.line });
      open = null;
    } else if (open) {
      open.body.push(text.startsWith(open.indent) ? text.slice(open.indent.length) : text);
    }
  });
  return blocks;
}

export interface ShellCommand {
  /** The command as written (continuation lines and heredocs included). */
  text: string;
  /** The answer the README shows for it (`# => ...`, continuation lines joined), if any. */
  expected?: string;
}

/**
 * Splits a shell block into commands: a line ending in `\` continues, a heredoc runs to its
 * terminator, comment lines are dropped except a `# =>` answer (and the `#` lines indented under it),
 * which belongs to the command before it.
 */
export function shellCommands(code: string): ShellCommand[] {
  const lines = code.split('\n');
  const commands: ShellCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const answer = /^#\s*=>\s?(.*)$/.exec(line.trim());
    if (answer && commands.length > 0) {
      let expected = answer[1].trim();
      while (i + 1 < lines.length && /^#\s{2,}\S/.test(lines[i + 1].trim())) {
        expected += lines[++i].trim().replace(/^#\s+/, '');
      }
      commands[commands.length - 1].expected = expected;
      continue;
    }
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const text = [line];
    const heredoc = /<<-?\s*'?(\w+)'?/.exec(line);
    if (heredoc) {
      while (i + 1 < lines.length && lines[i + 1].trim() !== heredoc[1]) text.push(lines[++i]);
      if (i + 1 < lines.length) text.push(lines[++i]);
    } else {
      while (text[text.length - 1].trimEnd().endsWith('\\') && i + 1 < lines.length) text.push(lines[++i]);
    }
    commands.push({ text: text.join('\n') });
  }
  return commands;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `<NAME>` placeholders in a text, in order. */
export const placeholders = (text: string): string[] =>
  [...text.matchAll(/<([A-Za-z][\w-]*)>/g)].map((m) => m[1]);

/**
 * Matches an answer against the README's pattern: `…` is any text, `<NAME>` a value that is bound
 * (or must equal the value already bound), everything else literal. Returns the new bindings, or
 * null when the answer does not match.
 */
export function matchAnswer(
  pattern: string,
  answer: string,
  bound: Readonly<Record<string, string>>,
): Record<string, string> | null {
  const names: string[] = [];
  const source = pattern
    .split(/(…|<[A-Za-z][\w-]*>)/)
    .map((part) => {
      if (part === '…') return '[\\s\\S]*?';
      const name = /^<([A-Za-z][\w-]*)>$/.exec(part)?.[1];
      if (!name) return escapeRegExp(part);
      if (bound[name] !== undefined) return escapeRegExp(bound[name]);
      if (names.includes(name)) return `\\k<${name.replace(/-/g, '_')}>`;
      names.push(name);
      return `(?<${name.replace(/-/g, '_')}>[^"\\s]*?)`;
    })
    .join('');
  const match = new RegExp(`^${source}$`).exec(answer.trim());
  if (!match) return null;
  return Object.fromEntries(names.map((name) => [name, match.groups![name.replace(/-/g, '_')]]));
}
