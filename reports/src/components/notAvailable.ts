/**
 * The honest placeholder for a panel whose data this run lacks (a table a later stage adds): a muted
 * note with the reason, never an empty chart or invented numbers. Not pure: makes DOM.
 */
import type { Unavailable } from './types.js';

export const NOT_AVAILABLE_CLASS = 'wuwei-not-available';

export function notAvailable(title: string, data: Unavailable): HTMLElement {
  const note = document.createElement('div');
  note.className = NOT_AVAILABLE_CLASS;
  const heading = document.createElement('h3');
  heading.textContent = title;
  const reason = document.createElement('p');
  reason.textContent = data.reason;
  note.append(heading, reason);
  return note;
}
