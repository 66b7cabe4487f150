/**
 * A plain DOM table whose cells can link to the deals behind a figure and carry a `data-figure` key
 * (the browser test reads those to check that a figure agrees across pages). Not pure: makes DOM.
 */
export interface Cell {
  text: string;
  /** A link, e.g. to the Deals page filtered to the deals behind the figure. */
  href?: string;
  /** The figure's name, the same on every page that shows it (e.g. "quarter-p50"). */
  figure?: string;
  numeric?: boolean;
  tone?: 'red' | 'green' | null;
}

export type Column = string | { text: string; numeric?: boolean };

export function linkedTable(columns: Column[], rows: (string | Cell)[][], className = 'wuwei-deals'): HTMLTableElement {
  const table = document.createElement('table');
  table.className = className;
  const head = table.createTHead().insertRow();
  for (const column of columns) {
    const th = document.createElement('th');
    th.textContent = typeof column === 'string' ? column : column.text;
    if (typeof column !== 'string' && column.numeric) th.style.textAlign = 'right';
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    row.forEach((value, i) => {
      const cell = typeof value === 'string' ? { text: value } : value;
      const column = columns[i];
      const numeric = cell.numeric ?? (typeof column !== 'string' && column?.numeric);
      tr.insertCell().append(figureElement(cell));
      const td = tr.cells[tr.cells.length - 1]!;
      if (numeric) {
        td.style.textAlign = 'right';
        td.style.fontVariantNumeric = 'tabular-nums';
      }
      if (cell.tone) td.classList.add(cell.tone);
    });
  }
  return table;
}

/** A figure as text, a link when it has one, tagged with its name when it has one. */
export function figureElement(cell: Cell): HTMLElement | Text {
  if (!cell.href && !cell.figure) return document.createTextNode(cell.text);
  const element = document.createElement(cell.href ? 'a' : 'span');
  element.textContent = cell.text;
  if (cell.href) (element as HTMLAnchorElement).href = cell.href;
  if (cell.figure) element.dataset['figure'] = cell.figure;
  return element;
}

/** The Deals page opened on a filter or a deal: `dealsLink({list: 'stalled'})`, `dealsLink({deal: 'O1'})`. */
export function dealsLink(params: Record<string, string>): string {
  return `./deals.html?${new URLSearchParams(params).toString()}`;
}
