/** Reads the top factors the scoring stage stores with each score. */

/**
 * Factors as the scoring stage writes them: a JSON array (of strings or of {label|feature}) or a
 * "; "-separated text. Anything else is shown as it is.
 */
export function factorList(text: string | null): string[] {
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) {
      return parsed.map((item) => (typeof item === 'string' ? item : String((item as { label?: string; feature?: string }).label ?? (item as { feature?: string }).feature ?? JSON.stringify(item))));
    }
  } catch {
    // not JSON: a plain list
  }
  return text.split(/\s*[;|]\s*/).filter(Boolean);
}
