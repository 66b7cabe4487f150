/** A move in words for the CSV, the CRM tasks and the site: identifiers only (names are personal data). */
import type { CandidateMove } from './candidates.ts';

const ROLE_WORDS: Record<string, string> = {
  decision_maker: 'the decision maker',
  economic_buyer: 'the economic buyer',
  champion: 'a champion',
  technical_evaluator: 'the technical evaluator',
  influencer: 'an influencer',
  user: 'a user',
};

export function roleWords(role: string | null): string {
  return role === null ? 'a contact' : (ROLE_WORDS[role] ?? role.replaceAll('_', ' '));
}

export function describeMove(move: CandidateMove): string {
  const contact = move.contactId ? ` (contact ${move.contactId})` : '';
  const tie =
    move.tieStrength !== null
      ? `tie strength ${move.tieStrength.toFixed(1)}${move.lastInteraction ? `, last ${move.lastInteraction}` : ''}`
      : '';
  switch (move.kind) {
    case 'engage_role':
      return `Engage ${roleWords(move.role)}${contact}`;
    case 'introduction':
      return `Engage ${roleWords(move.role)}${contact} through an introduction by ${move.viaUserId}, who knows them (${tie})`;
    case 'multi_thread':
      return `Multi-thread: engage a second contact${contact} as ${roleWords(move.role)}`;
    case 'executive_sponsor':
      return 'Bring in our executive sponsor';
    case 'solutions_engineer':
      return 'Bring in a solutions engineer';
    case 'reengage':
      return `Re-engage ${roleWords(move.role)}${contact}: quiet ${move.lastInteraction ? `since ${move.lastInteraction}` : 'so far'}`;
  }
}
