import { SEGMENTS, type Segment } from './process.ts';
import type { Random } from '../base/random.ts';

/** The people and companies a simulated CRM holds before any deal is created. */

export const REGIONS = ['North America', 'EMEA', 'APAC'] as const;
const INDUSTRIES = [
  'Manufacturing',
  'Financial Services',
  'Healthcare',
  'Retail',
  'Technology',
  'Energy',
  'Logistics',
  'Public Sector',
];
const SENIORITY_MIX = [
  ['c_level', 0.08],
  ['vp', 0.14],
  ['director', 0.22],
  ['manager', 0.28],
  ['staff', 0.28],
] as const;
const DEPARTMENTS = ['IT', 'Finance', 'Operations', 'Procurement', 'Sales', 'Engineering'];
const FIRST_NAMES = [
  'Ana',
  'Ben',
  'Chen',
  'Dara',
  'Eli',
  'Fatima',
  'Goran',
  'Hana',
  'Ivan',
  'Jia',
  'Kofi',
  'Lena',
  'Mateo',
  'Nia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tariq',
  'Uma',
  'Vik',
  'Wen',
  'Yara',
  'Zoe',
];
const LAST_NAMES = [
  'Abe',
  'Berg',
  'Costa',
  'Diaz',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ito',
  'Jensen',
  'Kim',
  'Li',
  'Moreau',
  'Novak',
  'Okafor',
  'Patel',
  'Rossi',
  'Silva',
  'Tanaka',
  'Weber',
];
const NAME_PARTS = [
  'Nordic',
  'Atlas',
  'Vertex',
  'Helix',
  'Summit',
  'Quantum',
  'Harbor',
  'Pioneer',
  'Granite',
  'Lumen',
  'Cedar',
  'Orion',
  'Apex',
  'Meridian',
  'Crescent',
  'Falcon',
];
const NAME_KINDS = ['Industries', 'Group', 'Holdings', 'Systems', 'Partners', 'Labs', 'Works', 'Logistics'];

export type Seniority = (typeof SENIORITY_MIX)[number][0];

export interface Account {
  id: string;
  name: string;
  industry: string;
  region: string;
  segment: Segment;
  employees: number;
  annualRevenue: number;
  createdDay: number;
  /** Latent goodwill towards us: shows in past results and activity, never exported. */
  affinity: number;
  ownerId: string;
  /** Only what deals need of each contact; the full records are written as they are made. */
  contacts: ContactRef[];
}

export type ContactRef = Pick<Contact, 'id' | 'seniority'>;

export interface Contact {
  id: string;
  accountId: string;
  firstName: string;
  lastName: string;
  title: string;
  seniority: Seniority;
  department: string;
  createdDay: number;
}

export type UserRole = 'account_executive' | 'sales_engineer' | 'sales_manager' | 'executive';

export interface User {
  id: string;
  name: string;
  role: UserRole;
  title: string;
  team: string;
  region: string;
  managerId: string;
  hireDay: number;
  /** Latent selling skill: raises win propensity, never exported. */
  skill: number;
}

export interface World {
  accounts: Account[];
  users: User[];
  repsByRegion: Map<string, User[]>;
  engineersByRegion: Map<string, User[]>;
  executives: User[];
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Builds our people and the accounts with their contacts. Each account is handed to `onAccount`
 * with its full contact records as soon as it exists (to be written out), and kept with slim
 * contacts, so that a million-deal world does not hold every contact's name and title.
 */
export async function buildWorld(
  random: Random,
  opportunities: number,
  startDay: number,
  repSkillSd: number,
  onAccount: (account: Account, contacts: Contact[]) => Promise<void>,
): Promise<World> {
  const users: User[] = [];
  const executives: User[] = [];
  const repsByRegion = new Map<string, User[]>();
  const engineersByRegion = new Map<string, User[]>();
  let userSeq = 0;
  const newUser = (role: UserRole, title: string, team: string, region: string, managerId: string): User => {
    userSeq += 1;
    const user: User = {
      id: `U${pad(userSeq, 5)}`,
      name: `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`,
      role,
      title,
      team,
      region,
      managerId,
      hireDay: startDay - random.int(30, 2500),
      skill: role === 'account_executive' ? random.normal(0, repSkillSd) : 0,
    };
    users.push(user);
    return user;
  };

  const ceo = newUser('executive', 'Chief Executive Officer', 'Executive', 'Global', '');
  executives.push(ceo, newUser('executive', 'Chief Revenue Officer', 'Executive', 'Global', ceo.id));
  const repsPerRegion = Math.max(3, Math.round(opportunities / 150 / REGIONS.length));
  for (const region of REGIONS) {
    const manager = newUser('sales_manager', 'Regional Sales Director', `${region} Sales`, region, executives[1]!.id);
    const reps = Array.from({ length: repsPerRegion }, () =>
      newUser('account_executive', 'Account Executive', `${region} Sales`, region, manager.id),
    );
    const engineers = Array.from({ length: Math.max(1, Math.round(repsPerRegion / 3)) }, () =>
      newUser('sales_engineer', 'Solutions Engineer', `${region} Presales`, region, manager.id),
    );
    repsByRegion.set(region, reps);
    engineersByRegion.set(region, engineers);
  }

  const accounts: Account[] = [];
  let contactSeq = 0;
  const accountCount = Math.max(20, Math.round(opportunities / 5));
  const segmentWeights = Object.entries(SEGMENTS).map(([segment, spec]) => [segment as Segment, spec.share] as const);
  for (let a = 1; a <= accountCount; a++) {
    const segment = random.weighted(segmentWeights);
    const spec = SEGMENTS[segment];
    const region = random.weighted(REGIONS.map((r, i) => [r, [0.5, 0.3, 0.2][i]!] as const));
    const employees = Math.max(5, Math.round(spec.employees * random.logNormal(0, 0.6)));
    const name = `${random.pick(NAME_PARTS)} ${random.pick(NAME_KINDS)} ${pad(a, 4)}`;
    const account: Account = {
      id: `A${pad(a, 6)}`,
      name,
      industry: random.pick(INDUSTRIES),
      region,
      segment,
      employees,
      annualRevenue: Math.round(employees * random.logNormal(Math.log(180_000), 0.4)),
      createdDay: startDay - random.int(0, 1500),
      affinity: random.normal(0, 0.7),
      ownerId: random.pick(repsByRegion.get(region)!).id,
      contacts: [],
    };
    const contactCount = random.int(spec.contacts[0], spec.contacts[1]);
    const contacts: Contact[] = [];
    for (let c = 0; c < contactCount; c++) {
      contactSeq += 1;
      const seniority = c === 0 ? 'c_level' : random.weighted(SENIORITY_MIX);
      const department = seniority === 'c_level' ? 'Executive' : random.pick(DEPARTMENTS);
      contacts.push({
        id: `C${pad(contactSeq, 7)}`,
        accountId: account.id,
        firstName: random.pick(FIRST_NAMES),
        lastName: random.pick(LAST_NAMES),
        title: titleFor(seniority, department),
        seniority,
        department,
        createdDay: random.int(account.createdDay, startDay),
      });
    }
    await onAccount(account, contacts);
    account.contacts = contacts.map(({ id, seniority }) => ({ id, seniority }));
    accounts.push(account);
  }
  return { accounts, users, repsByRegion, engineersByRegion, executives };
}

function titleFor(seniority: Seniority, department: string): string {
  switch (seniority) {
    case 'c_level':
      return department === 'Finance' ? 'Chief Financial Officer' : 'Chief Operating Officer';
    case 'vp':
      return `VP ${department}`;
    case 'director':
      return `Director of ${department}`;
    case 'manager':
      return `${department} Manager`;
    case 'staff':
      return `${department} Specialist`;
  }
}

export function contactEmail(contact: Contact, account: Account): string {
  const domain = account.name.split(' ')[0]!.toLowerCase();
  return `${contact.firstName}.${contact.lastName}.${contact.id.slice(-4)}@${domain}.example`.toLowerCase();
}
