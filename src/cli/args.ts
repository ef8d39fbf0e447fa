/** `cmd a b --flag value` → { command, positional, flags }. */
export function parseArgs(argv: string[]): { command?: string; positional: string[]; flags: Record<string, string> } {
  const [command, ...rest] = argv;
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      flags[k] = inline ?? rest[++i] ?? '';
    } else positional.push(a);
  }
  return { command, positional, flags };
}
