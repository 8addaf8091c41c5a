/** Text on one line, at most `length` characters (an ellipsis marks a cut): for titles and prompts. */
export function clip(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}
