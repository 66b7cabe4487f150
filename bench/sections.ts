/**
 * BENCHMARKS.md sections that a benchmark of their own measures (CLI start, scoring throughput,
 * forecast accuracy, ...). Each is recorded in bench/results/<id>.json by the script that measures
 * it, and every render of BENCHMARKS.md reads them all: re-running one benchmark rewrites its
 * section and keeps the others, whoever renders.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the recorded sections live, relative to the repository. */
export const SECTIONS_DIR = join('bench', 'results');

export interface SectionTarget {
  target: string;
  measured: string;
  /** null: not measured (yet) in the recorded run. */
  met: boolean | null;
}

export interface RecordedSection {
  /** The section's `##` heading. */
  title: string;
  /** Sections render after the stage tables in ascending order. */
  order: number;
  /** ISO date of the measurement. */
  recordedAt: string;
  /** What reproduces the figures (shown under the section, as Markdown). */
  command: string;
  /** Every target this section judges; they also appear in the Targets table. */
  targets: SectionTarget[];
  /** The section's body in Markdown, without its heading. */
  markdown: string;
}

export type Sections = { id: string; section: RecordedSection }[];

export function readSections(dir: string): Sections {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({
      id: name.slice(0, -'.json'.length),
      section: JSON.parse(readFileSync(join(dir, name), 'utf8')) as RecordedSection,
    }))
    .sort((a, b) => a.section.order - b.section.order || a.id.localeCompare(b.id));
}

export function writeSection(dir: string, id: string, section: RecordedSection): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${id}.json`), `${JSON.stringify(section, null, 2)}\n`);
}

export function renderSection(section: RecordedSection): string[] {
  return [
    '',
    `## ${section.title}`,
    '',
    `Recorded ${section.recordedAt.slice(0, 10)}; reproduce: ${section.command}.`,
    '',
    section.markdown.trimEnd(),
  ];
}

export function metCell(met: boolean | null): string {
  return met === null ? 'not measured' : met ? 'yes' : 'no';
}
