/**
 * Writes a ./crm-world.ts org as each vendor writes its export, from the vendors' documentation
 * (see test/fixtures/vendors/<shape>/SOURCE.md): file names, field names and their case, id
 * formats, value spellings, envelopes. Independent of the loader: nothing here is imported from pipeline/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentStage, type Deal, type World } from './crm-world.ts';

type Row = Record<string, string | number | boolean | null>;

const iso = (d: Date) => d.toISOString();
const day = (d: Date) => d.toISOString().slice(0, 10);

// ---------------------------------------------------------------- Salesforce

/** Salesforce's default opportunity stage picklist (Setup > Opportunity > Stage). */
export const SALESFORCE_STAGES = [
  { name: 'Prospecting', probability: 0.1 },
  { name: 'Qualification', probability: 0.1 },
  { name: 'Needs Analysis', probability: 0.2 },
  { name: 'Value Proposition', probability: 0.5 },
  { name: 'Id. Decision Makers', probability: 0.6 },
  { name: 'Perception Analysis', probability: 0.7 },
  { name: 'Proposal/Price Quote', probability: 0.75 },
  { name: 'Negotiation/Review', probability: 0.9 },
];

const SF_PREFIX = {
  account: '001',
  user: '005',
  contact: '003',
  opportunity: '006',
  task: '00T',
  event: '00U',
  stage: '01J',
  history: '008',
  role: '00K',
  relation: '0RE',
  competitor: '00J',
  lineItem: '00k',
  product: '01t',
};

/** A 15-character Salesforce id (key prefix, pod, number in mixed case) and its 18-character form. */
function salesforceId(kind: keyof typeof SF_PREFIX, n: number, long: boolean): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let body = '';
  let x = n * 7919 + 12345;
  for (let i = 0; i < 6; i++) {
    body = alphabet[x % 62] + body;
    x = Math.floor(x / 62);
  }
  const id15 = `${SF_PREFIX[kind]}5g0000${body}`;
  if (!long) return id15;
  // The documented case-safe suffix: per 5-character chunk, a bit per upper-case letter.
  const table = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) if (/[A-Z]/.test(id15[chunk * 5 + i]!)) bits |= 1 << i;
    suffix += table[bits];
  }
  return id15 + suffix;
}

/** Data Loader CSV: every value quoted, header in capitals (Data Loader up to v60), booleans true/false. */
function dataLoaderCsv(rows: Row[], columns: string[]): string {
  const quote = (v: Row[string]) => `"${v === null ? '' : String(v).replaceAll('"', '""')}"`;
  return `${[columns.map((c) => quote(c.toUpperCase())).join(','), ...rows.map((r) => columns.map((c) => quote(r[c] ?? null)).join(','))].join('\n')}\n`;
}

/** Units of EUR per USD, the corporate (base) currency of every vendor org here. */
export const EUR_PER_USD = 0.92;
/** A deal's amount in its own currency (the world's amounts are in USD). */
const inDealCurrency = (deal: Deal, usd: number) => (deal.currency === 'EUR' ? Math.round(usd * EUR_PER_USD) : usd);

const SF_ROLE: Record<string, string> = {
  decision_maker: 'Decision Maker',
  economic_buyer: 'Economic Buyer',
  champion: 'Executive Sponsor',
  technical: 'Technical Buyer',
  end_user: 'Business User',
  influencer: 'Influencer',
};

/** Salesforce Data Loader / weekly Data Export: one CSV per object, API names, 18-character ids. */
export function writeSalesforceDataLoader(world: World, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const id = (kind: keyof typeof SF_PREFIX, n: number) => salesforceId(kind, n, true);
  const write = (file: string, rows: Row[], columns: string[]) =>
    writeFileSync(join(dir, `${file}.csv`), dataLoaderCsv(rows, columns));
  const stageOf = (deal: Deal) => {
    const s = currentStage(world, deal);
    return s === 'won' ? 'Closed Won' : s === 'lost' ? 'Closed Lost' : s;
  };
  write(
    'Account',
    world.accounts.map((a) => ({
      Id: id('account', a.n),
      Name: a.name,
      Type: 'Customer',
      Industry: a.industry,
      BillingCountry: a.country,
      NumberOfEmployees: a.employees,
      AnnualRevenue: a.revenue,
      OwnerId: id('user', a.owner),
      CreatedDate: iso(a.created),
    })),
    [
      'Id',
      'Name',
      'Type',
      'Industry',
      'BillingCountry',
      'NumberOfEmployees',
      'AnnualRevenue',
      'OwnerId',
      'CreatedDate',
    ],
  );
  write(
    'User',
    world.users.map((u) => ({
      Id: id('user', u.n),
      Username: `${u.first.toLowerCase()}@example.com`,
      FirstName: u.first,
      LastName: u.last,
      Name: `${u.first} ${u.last}`,
      Title: u.title,
      Department: u.department,
      Division: 'EMEA',
      ManagerId: u.manager ? id('user', u.manager) : null,
      IsActive: true,
    })),
    ['Id', 'Username', 'FirstName', 'LastName', 'Name', 'Title', 'Department', 'Division', 'ManagerId', 'IsActive'],
  );
  write(
    'Contact',
    world.contacts.map((c) => ({
      Id: id('contact', c.n),
      AccountId: id('account', c.account),
      FirstName: c.first,
      LastName: c.last,
      Email: `${c.first}.${c.last}${c.n}@customer.example`.toLowerCase(),
      Title: c.title,
      Department: c.department,
      CreatedDate: iso(c.created),
    })),
    ['Id', 'AccountId', 'FirstName', 'LastName', 'Email', 'Title', 'Department', 'CreatedDate'],
  );
  const stages = [
    ...SALESFORCE_STAGES.map((s, i) => ({ ...s, closed: false, won: false, order: i + 1 })),
    { name: 'Closed Won', probability: 1, closed: true, won: true, order: 9 },
    { name: 'Closed Lost', probability: 0, closed: true, won: false, order: 10 },
  ];
  // A multi-currency org: CurrencyType's ConversionRate is units of the currency per 1 USD (the corporate currency).
  write(
    'CurrencyType',
    [
      {
        Id: id('stage', 90),
        IsoCode: 'USD',
        ConversionRate: '1.000000',
        IsCorporate: true,
        IsActive: true,
        DecimalPlaces: 2,
      },
      {
        Id: id('stage', 91),
        IsoCode: 'EUR',
        ConversionRate: String(EUR_PER_USD.toFixed(6)),
        IsCorporate: false,
        IsActive: true,
        DecimalPlaces: 2,
      },
    ],
    ['Id', 'IsoCode', 'ConversionRate', 'IsCorporate', 'IsActive', 'DecimalPlaces'],
  );
  write(
    'OpportunityStage',
    stages.map((s, i) => ({
      Id: id('stage', i + 1),
      MasterLabel: s.name,
      ApiName: s.name,
      IsActive: true,
      SortOrder: s.order,
      IsClosed: s.closed,
      IsWon: s.won,
      DefaultProbability: Math.round(s.probability * 100),
      ForecastCategoryName: s.won ? 'Closed' : s.closed ? 'Omitted' : 'Pipeline',
    })),
    [
      'Id',
      'MasterLabel',
      'ApiName',
      'IsActive',
      'SortOrder',
      'IsClosed',
      'IsWon',
      'DefaultProbability',
      'ForecastCategoryName',
    ],
  );
  const probability = (name: string) => Math.round((stages.find((s) => s.name === name)?.probability ?? 0) * 100);
  write(
    'Opportunity',
    world.deals.map((d) => ({
      Id: id('opportunity', d.n),
      AccountId: id('account', d.account),
      OwnerId: id('user', d.owner),
      Name: d.name,
      Type: { new: 'New Customer', upsell: 'Existing Customer - Upgrade', renewal: 'Renewal' }[d.kind],
      LeadSource: d.n % 2 ? 'Web' : 'Partner Referral',
      CurrencyIsoCode: d.currency,
      Amount: inDealCurrency(d, d.amount).toFixed(1),
      CloseDate: day(d.closed ?? d.expectedClose),
      StageName: stageOf(d),
      Probability: probability(stageOf(d)),
      ForecastCategoryName: d.outcome === 'won' ? 'Closed' : d.outcome === 'lost' ? 'Omitted' : 'Pipeline',
      IsClosed: d.outcome !== 'open',
      IsWon: d.outcome === 'won',
      CreatedDate: iso(d.created),
    })),
    [
      'Id',
      'AccountId',
      'OwnerId',
      'Name',
      'Type',
      'LeadSource',
      'CurrencyIsoCode',
      'Amount',
      'CloseDate',
      'StageName',
      'Probability',
      'ForecastCategoryName',
      'IsClosed',
      'IsWon',
      'CreatedDate',
    ],
  );
  let h = 0;
  const history = world.deals.flatMap((d) => {
    const steps = d.history.map((s) => ({
      at: s.at,
      stage: SALESFORCE_STAGES[s.stage]!.name,
      amount: s.amount,
      close: s.close,
    }));
    if (d.closed) steps.push({ at: d.closed, stage: stageOf(d), amount: d.amount, close: d.closed });
    return steps.map((s) => ({
      Id: id('history', ++h),
      OpportunityId: id('opportunity', d.n),
      CreatedDate: iso(s.at),
      StageName: s.stage,
      Amount: inDealCurrency(d, s.amount).toFixed(1),
      ExpectedRevenue: ((inDealCurrency(d, s.amount) * probability(s.stage)) / 100).toFixed(1),
      CloseDate: day(s.close),
      Probability: probability(s.stage),
      ForecastCategory: s.stage === 'Closed Won' ? 'Closed' : s.stage === 'Closed Lost' ? 'Omitted' : 'Pipeline',
    }));
  });
  write('OpportunityHistory', history, [
    'Id',
    'OpportunityId',
    'CreatedDate',
    'StageName',
    'Amount',
    'ExpectedRevenue',
    'CloseDate',
    'Probability',
    'ForecastCategory',
  ]);
  let r = 0;
  write(
    'OpportunityContactRole',
    world.deals.flatMap((d) =>
      d.roles.map((role, i) => ({
        Id: id('role', ++r),
        OpportunityId: id('opportunity', d.n),
        ContactId: id('contact', role.contact),
        Role: SF_ROLE[role.role] ?? 'Other',
        IsPrimary: i === 0,
        CreatedDate: iso(role.at),
      })),
    ),
    ['Id', 'OpportunityId', 'ContactId', 'Role', 'IsPrimary', 'CreatedDate'],
  );
  const tasks = world.activities.filter((a) => a.kind !== 'meeting');
  const events = world.activities.filter((a) => a.kind === 'meeting');
  write(
    'Task',
    tasks.map((a) => ({
      Id: id('task', a.n),
      WhoId: id('contact', a.contacts[0]!),
      WhatId: a.deal ? id('opportunity', a.deal) : id('account', a.account),
      AccountId: id('account', a.account),
      OwnerId: id('user', a.owner),
      Subject: a.kind === 'call' ? 'Call' : a.kind === 'email' ? 'Email: follow-up' : 'Send contract',
      Status: 'Completed',
      TaskSubtype: a.kind === 'call' ? 'Call' : a.kind === 'email' ? 'Email' : 'Task',
      Type: a.kind === 'call' ? 'Call' : a.kind === 'email' ? 'Email' : null,
      CallType: a.kind === 'call' ? (a.inbound ? 'Inbound' : 'Outbound') : null,
      CallDurationInSeconds: a.kind === 'call' ? a.minutes * 60 : null,
      ActivityDate: day(a.at),
      CompletedDateTime: iso(a.at),
      CreatedDate: iso(a.at),
    })),
    [
      'Id',
      'WhoId',
      'WhatId',
      'AccountId',
      'OwnerId',
      'Subject',
      'Status',
      'TaskSubtype',
      'Type',
      'CallType',
      'CallDurationInSeconds',
      'ActivityDate',
      'CompletedDateTime',
      'CreatedDate',
    ],
  );
  write(
    'Event',
    events.map((a, i) => ({
      Id: id('event', a.n),
      WhoId: id('contact', a.contacts[0]!),
      WhatId: a.deal ? id('opportunity', a.deal) : id('account', a.account),
      AccountId: id('account', a.account),
      OwnerId: id('user', a.owner),
      Subject: 'Meeting',
      Type: i % 3 === 0 ? null : 'Meeting', // many orgs leave Type blank
      StartDateTime: iso(a.at),
      EndDateTime: iso(new Date(a.at.getTime() + a.minutes * 60_000)),
      DurationInMinutes: a.minutes,
      ActivityDateTime: iso(a.at),
      CreatedDate: iso(a.at),
    })),
    [
      'Id',
      'WhoId',
      'WhatId',
      'AccountId',
      'OwnerId',
      'Subject',
      'Type',
      'StartDateTime',
      'EndDateTime',
      'DurationInMinutes',
      'ActivityDateTime',
      'CreatedDate',
    ],
  );
  let e = 0;
  write(
    'EventRelation',
    events.flatMap((a) => [
      ...a.contacts.map((c) => ({
        Id: id('relation', ++e),
        EventId: id('event', a.n),
        RelationId: id('contact', c),
        IsWhat: false,
        IsParent: true,
        IsInvitee: false,
        Status: 'New',
      })),
      // The event's What (its opportunity) is a relation row too: not a participant.
      ...(a.deal
        ? [
            {
              Id: id('relation', ++e),
              EventId: id('event', a.n),
              RelationId: id('opportunity', a.deal),
              IsWhat: true,
              IsParent: true,
              IsInvitee: false,
              Status: 'New',
            },
          ]
        : []),
    ]),
    ['Id', 'EventId', 'RelationId', 'IsWhat', 'IsParent', 'IsInvitee', 'Status'],
  );
  let c = 0;
  write(
    'OpportunityCompetitor',
    world.deals.flatMap((d) =>
      d.competitors.map((x) => ({
        Id: id('competitor', ++c),
        OpportunityId: id('opportunity', d.n),
        CompetitorName: x.name,
        Strengths: null,
        Weaknesses: null,
        CreatedDate: iso(x.at),
      })),
    ),
    ['Id', 'OpportunityId', 'CompetitorName', 'Strengths', 'Weaknesses', 'CreatedDate'],
  );
  let l = 0;
  write(
    'OpportunityLineItem',
    world.deals.flatMap((d) =>
      d.lineItems.map((x) => ({
        Id: id('lineItem', ++l),
        OpportunityId: id('opportunity', d.n),
        Product2Id: id('product', x.product.length),
        ProductCode: x.product.toUpperCase(),
        Name: `${d.name} ${x.product}`,
        Quantity: x.quantity,
        ListPrice: x.price,
        UnitPrice: x.price,
        Discount: x.discount,
        TotalPrice: x.quantity * x.price * (1 - x.discount / 100),
        CreatedDate: iso(x.at),
      })),
    ),
    [
      'Id',
      'OpportunityId',
      'Product2Id',
      'ProductCode',
      'Name',
      'Quantity',
      'ListPrice',
      'UnitPrice',
      'Discount',
      'TotalPrice',
      'CreatedDate',
    ],
  );
  write(
    'TaskRelation',
    tasks.flatMap((a) => [
      ...a.contacts.map((c) => ({
        Id: id('relation', ++e),
        TaskId: id('task', a.n),
        RelationId: id('contact', c),
        IsWhat: false,
        AccountId: id('account', a.account),
      })),
      ...(a.deal
        ? [
            {
              Id: id('relation', ++e),
              TaskId: id('task', a.n),
              RelationId: id('opportunity', a.deal),
              IsWhat: true,
              AccountId: id('account', a.account),
            },
          ]
        : []),
    ]),
    ['Id', 'TaskId', 'RelationId', 'IsWhat', 'AccountId'],
  );
}

/** A report's dates as a US-locale user sees them: 3/31/2026, and 3/31/2026 9:14 AM with a time. */
const usDate = (d: Date) => `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
const usDateTime = (d: Date) => {
  const h = d.getUTCHours();
  return `${usDate(d)} ${h % 12 === 0 ? 12 : h % 12}:${String(d.getUTCMinutes()).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`;
};
/** A currency field in a report: `$11,000.00` in a single-currency org, `EUR 10,120.00` in a multi-currency one. */
const money = (value: number, currency?: string) => {
  const text = value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency ? `${currency} ${text}` : `$${text}`;
};

/**
 * A report exported as CSV ("Details Only"): every value quoted, labels as headers, and below the rows
 * the footer Salesforce appends (blank lines, the report's name, copyright, confidentiality, who ran it).
 */
function reportCsv(title: string, rows: Row[], columns: string[], totals?: string): string {
  const quote = (v: Row[string] | undefined) =>
    `"${v === null || v === undefined ? '' : String(v).replaceAll('"', '""')}"`;
  const footer = [
    '""',
    '""',
    ...(totals ? [quote(totals)] : []),
    quote(title),
    quote('Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.'),
    quote('Confidential Information - Do Not Distribute'),
    quote('Generated By:  Ana Ahn  6/30/2026 9:14 AM'),
    quote('Example Corp'),
  ];
  return `${[columns.map(quote).join(','), ...rows.map((r) => columns.map((c) => quote(r[c])).join(',')), ...footer].join('\n')}\n`;
}

/**
 * Salesforce report exports, one report per object saved under the object's name: Accounts, Users,
 * Contacts & Accounts, Opportunities, Opportunity History and Opportunities with Contact Roles, with
 * field labels, 15-character ids, US-locale dates, `75%`, `$11,000.00` / `EUR 10,120.00` and the
 * report footer. Owners are named ("Opportunity Owner"); the Users report holds the names and ids.
 */
export function writeSalesforceReport(world: World, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const id = (kind: keyof typeof SF_PREFIX, n: number) => salesforceId(kind, n, false);
  const write = (file: string, title: string, rows: Row[], columns: string[], totals?: string) =>
    writeFileSync(join(dir, `${file}.csv`), reportCsv(title, rows, columns, totals));
  const name = (n: number) => `${world.users[n - 1]!.first} ${world.users[n - 1]!.last}`;
  const stageOf = (deal: Deal) => {
    const s = currentStage(world, deal);
    return s === 'won' ? 'Closed Won' : s === 'lost' ? 'Closed Lost' : s;
  };
  const percent = (stage: string) =>
    `${Math.round((stage === 'Closed Won' ? 1 : stage === 'Closed Lost' ? 0 : SALESFORCE_STAGES.find((x) => x.name === stage)!.probability) * 100)}%`;
  write(
    'Account',
    'All Accounts',
    world.accounts.map((a) => ({
      'Account Owner': name(a.owner),
      'Account Name': a.name,
      'Account ID': id('account', a.n),
      Type: 'Customer',
      Industry: a.industry,
      'Billing Country': a.country,
      Employees: a.employees.toLocaleString('en-US'),
      'Annual Revenue': money(a.revenue),
      'Created Date': usDate(a.created),
    })),
    [
      'Account Owner',
      'Account Name',
      'Account ID',
      'Type',
      'Industry',
      'Billing Country',
      'Employees',
      'Annual Revenue',
      'Created Date',
    ],
  );
  write(
    'User',
    'Active Users',
    world.users.map((u) => ({
      'Full Name': name(u.n),
      'User ID': id('user', u.n),
      Title: u.title,
      Department: u.department,
      Division: 'EMEA',
      Active: 1,
      'Last Login': '6/29/2026 8:02 AM',
    })),
    ['Full Name', 'User ID', 'Title', 'Department', 'Division', 'Active', 'Last Login'],
  );
  write(
    'Contact',
    'Contacts & Accounts',
    world.contacts.map((c) => ({
      'Contact Owner': name(1),
      'First Name': c.first,
      'Last Name': c.last,
      Title: c.title,
      Email: `${c.first}.${c.last}${c.n}@customer.example`.toLowerCase(),
      'Account Name': world.accounts[c.account - 1]!.name,
      'Contact ID': id('contact', c.n),
      'Account ID': id('account', c.account),
      Department: c.department,
      'Created Date': usDate(c.created),
    })),
    [
      'Contact Owner',
      'First Name',
      'Last Name',
      'Title',
      'Email',
      'Account Name',
      'Contact ID',
      'Account ID',
      'Department',
      'Created Date',
    ],
  );
  write(
    'Opportunity',
    'Opportunity Pipeline',
    world.deals.map((d) => ({
      'Opportunity Owner': name(d.owner),
      'Account Name': world.accounts[d.account - 1]!.name,
      'Account ID': id('account', d.account),
      'Opportunity Name': d.name,
      'Opportunity ID': id('opportunity', d.n),
      Type: { new: 'New Customer', upsell: 'Existing Customer - Upgrade', renewal: 'Renewal' }[d.kind],
      'Lead Source': d.n % 2 ? 'Web' : 'Partner Referral',
      Stage: stageOf(d),
      'Fiscal Period': `Q${Math.floor((d.closed ?? d.expectedClose).getUTCMonth() / 3) + 1}-${(d.closed ?? d.expectedClose).getUTCFullYear()}`,
      'Opportunity Currency': d.currency,
      Amount: money(inDealCurrency(d, d.amount), d.currency),
      'Amount (converted)': money(d.amount, 'USD'),
      'Probability (%)': percent(stageOf(d)),
      'Close Date': usDate(d.closed ?? d.expectedClose),
      'Created Date': usDate(d.created),
      'Forecast Category': d.outcome === 'won' ? 'Closed' : d.outcome === 'lost' ? 'Omitted' : 'Pipeline',
    })),
    [
      'Opportunity Owner',
      'Account Name',
      'Account ID',
      'Opportunity Name',
      'Opportunity ID',
      'Type',
      'Lead Source',
      'Stage',
      'Fiscal Period',
      'Opportunity Currency',
      'Amount',
      'Amount (converted)',
      'Probability (%)',
      'Close Date',
      'Created Date',
      'Forecast Category',
    ],
    `Grand Totals (${world.deals.length} records)`,
  );
  // The Opportunity History report: one row per saved change, "From Stage" -> "To Stage", with the amount then.
  write(
    'OpportunityHistory',
    'Opportunity History',
    world.deals.flatMap((d) => {
      const steps = d.history.map((s) => ({
        at: s.at,
        stage: SALESFORCE_STAGES[s.stage]!.name,
        amount: s.amount,
        close: s.close,
      }));
      if (d.closed) steps.push({ at: d.closed, stage: stageOf(d), amount: d.amount, close: d.closed });
      return steps.map((s, i) => ({
        'Opportunity Name': d.name,
        'Opportunity ID': id('opportunity', d.n),
        'From Stage': i === 0 ? '' : steps[i - 1]!.stage,
        'To Stage': s.stage,
        Amount: money(inDealCurrency(d, s.amount), d.currency),
        'Amount (converted)': money(s.amount, 'USD'),
        'Probability (%)': percent(s.stage),
        'Close Date': usDate(s.close),
        'Edit Date': usDateTime(s.at),
        'Last Modified By': name(d.owner),
      }));
    }),
    [
      'Opportunity Name',
      'Opportunity ID',
      'From Stage',
      'To Stage',
      'Amount',
      'Amount (converted)',
      'Probability (%)',
      'Close Date',
      'Edit Date',
      'Last Modified By',
    ],
  );
  // Activities with Opportunities (tasks and events): the primary contact only, no time of day, the assignee by name.
  write(
    'Activity',
    'Activities with Opportunities',
    world.activities.map((a) => ({
      'Activity ID': id(a.kind === 'meeting' ? 'event' : 'task', a.n),
      Assigned: name(a.owner),
      Subject: a.kind === 'meeting' ? 'Meeting' : a.kind === 'call' ? 'Call' : 'Email: follow-up',
      Task: a.kind === 'meeting' ? 0 : 1,
      Type: { call: 'Call', email: 'Email', meeting: 'Meeting', other: '' }[a.kind],
      'Call Type': a.kind === 'call' ? (a.inbound ? 'Inbound' : 'Outbound') : '',
      Date: usDate(a.at),
      Duration: a.kind === 'meeting' ? a.minutes : '',
      'Opportunity Name': a.deal ? world.deals[a.deal - 1]!.name : '',
      'Opportunity ID': a.deal ? id('opportunity', a.deal) : '',
      'Account ID': id('account', a.account),
      Contact: `${world.contacts[a.contacts[0]! - 1]!.first} ${world.contacts[a.contacts[0]! - 1]!.last}`,
      'Contact ID': id('contact', a.contacts[0]!),
    })),
    [
      'Activity ID',
      'Assigned',
      'Subject',
      'Task',
      'Type',
      'Call Type',
      'Date',
      'Duration',
      'Opportunity Name',
      'Opportunity ID',
      'Account ID',
      'Contact',
      'Contact ID',
    ],
  );
  write(
    'OpportunityCompetitor',
    'Opportunities with Competitors',
    world.deals.flatMap((d) =>
      d.competitors.map((x) => ({
        'Opportunity Name': d.name,
        'Opportunity ID': id('opportunity', d.n),
        'Competitor Name': x.name,
        Strengths: '',
        Weaknesses: '',
      })),
    ),
    ['Opportunity Name', 'Opportunity ID', 'Competitor Name', 'Strengths', 'Weaknesses'],
  );
  // Opportunities with Products: prices in the deal's currency and converted; Discount a percentage.
  write(
    'OpportunityLineItem',
    'Opportunities with Products',
    world.deals.flatMap((d) =>
      d.lineItems.map((x) => ({
        'Opportunity Name': d.name,
        'Opportunity ID': id('opportunity', d.n),
        'Product Name': x.product,
        'Product Code': x.product.toUpperCase(),
        Quantity: x.quantity.toFixed(2),
        'List Price': money(inDealCurrency(d, x.price), d.currency),
        'List Price (converted)': money(x.price, 'USD'),
        Discount: `${x.discount.toFixed(2)}%`,
        'Created Date': usDate(x.at),
      })),
    ),
    [
      'Opportunity Name',
      'Opportunity ID',
      'Product Name',
      'Product Code',
      'Quantity',
      'List Price',
      'List Price (converted)',
      'Discount',
      'Created Date',
    ],
  );
  write(
    'OpportunityContactRole',
    'Opportunities with Contact Roles',
    world.deals.flatMap((d) =>
      d.roles.map((role, i) => ({
        'Opportunity Name': d.name,
        'Opportunity ID': id('opportunity', d.n),
        'Contact: Full Name': `${world.contacts[role.contact - 1]!.first} ${world.contacts[role.contact - 1]!.last}`,
        'Contact ID': id('contact', role.contact),
        'Contact Role': SF_ROLE[role.role] ?? 'Other',
        Primary: i === 0 ? 1 : 0,
      })),
    ),
    ['Opportunity Name', 'Opportunity ID', 'Contact: Full Name', 'Contact ID', 'Contact Role', 'Primary'],
  );
}

// ---------------------------------------------------------------- HubSpot

/** The default sales pipeline's stage ids, with one custom stage (numeric id) as portals add them. */
export const HUBSPOT_STAGES = [
  { id: 'appointmentscheduled', label: 'Appointment Scheduled', probability: 0.2 },
  { id: 'qualifiedtobuy', label: 'Qualified To Buy', probability: 0.4 },
  { id: 'presentationscheduled', label: 'Presentation Scheduled', probability: 0.6 },
  { id: 'decisionmakerboughtin', label: 'Decision Maker Bought-In', probability: 0.8 },
  { id: '84012345', label: 'Legal Review', probability: 0.85 },
  { id: 'contractsent', label: 'Contract Sent', probability: 0.9 },
];

const HS_LABEL: Record<string, string> = {
  decision_maker: 'Decision Maker',
  economic_buyer: 'Budget Holder',
  champion: 'Champion',
  technical: 'Technical Evaluator',
  end_user: 'End User',
  influencer: 'Influencer',
};

/** A CRM API v3 page as the API returns it. */
function page(results: unknown[]): string {
  return `${JSON.stringify({ results, paging: { next: { after: String(results.length) } } })}\n`;
}

function hubspotObject(
  id: string,
  properties: Row,
  at: Date,
  associations?: Record<string, { id: string; type: string }[]>,
): unknown {
  return {
    id,
    properties: {
      hs_object_id: id,
      ...Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, v === null ? null : String(v)])),
    },
    createdAt: iso(at),
    updatedAt: iso(at),
    archived: false,
    ...(associations
      ? { associations: Object.fromEntries(Object.entries(associations).map(([k, list]) => [k, { results: list }])) }
      : {}),
  };
}

/** HubSpot CRM API v3 JSON: objects with `properties`, associations on the objects, pipelines, v4 association labels. */
export function writeHubspotApi(world: World, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const write = (file: string, text: string) => writeFileSync(join(dir, `${file}.json`), text);
  const company = (n: number) => String(5000 + n);
  const owner = (n: number) => String(100 + n);
  const contact = (n: number) => String(7000 + n);
  const deal = (n: number) => String(9000 + n);
  write(
    'companies',
    page(
      world.accounts.map((a) =>
        hubspotObject(
          company(a.n),
          {
            name: a.name,
            industry: a.industry.toUpperCase(),
            country: a.country,
            numberofemployees: a.employees,
            annualrevenue: a.revenue,
            hubspot_owner_id: owner(a.owner),
            createdate: iso(a.created),
          },
          a.created,
        ),
      ),
    ),
  );
  write(
    'owners',
    page(
      world.users.map((u) => ({
        id: owner(u.n),
        email: `${u.first.toLowerCase()}@example.com`,
        type: 'PERSON',
        firstName: u.first,
        lastName: u.last,
        userId: 9000 + u.n,
        createdAt: '2023-01-01T00:00:00.000Z',
        updatedAt: '2023-01-01T00:00:00.000Z',
        archived: false,
        teams: [{ id: '1', name: u.department, primary: true }],
      })),
    ),
  );
  write(
    'contacts',
    page(
      world.contacts.map((c) =>
        hubspotObject(
          contact(c.n),
          {
            firstname: c.first,
            lastname: c.last,
            email: `${c.first}.${c.last}${c.n}@customer.example`.toLowerCase(),
            jobtitle: c.title,
            associatedcompanyid: company(c.account),
            createdate: iso(c.created),
          },
          c.created,
        ),
      ),
    ),
  );
  const stageId = (d: Deal) =>
    d.outcome === 'won'
      ? 'closedwon'
      : d.outcome === 'lost'
        ? 'closedlost'
        : HUBSPOT_STAGES[Math.min(d.stage, HUBSPOT_STAGES.length - 1)]!.id;
  const probability = (id: string) =>
    id === 'closedwon' ? 1 : id === 'closedlost' ? 0 : HUBSPOT_STAGES.find((s) => s.id === id)!.probability;
  // propertiesWithHistory: every version of a property, newest first, as the API lists them.
  const versions = (list: { value: string; at: Date }[]) =>
    list.map((v) => ({ value: v.value, timestamp: iso(v.at), sourceType: 'CRM_UI', sourceId: 'userId:1' })).reverse();
  const withHistory = (d: Deal) => {
    const steps = d.history.map((h) => ({
      stage: HUBSPOT_STAGES[Math.min(h.stage, HUBSPOT_STAGES.length - 1)]!.id,
      at: h.at,
      amount: h.amount,
      close: h.close,
    }));
    if (d.closed) steps.push({ stage: stageId(d), at: d.closed, amount: d.amount, close: d.closed });
    const changed = <T>(pick: (s: (typeof steps)[number]) => T) =>
      steps.filter((s, i) => i === 0 || pick(s) !== pick(steps[i - 1]!));
    return {
      dealstage: versions(changed((s) => s.stage).map((s) => ({ value: s.stage, at: s.at }))),
      amount: versions(changed((s) => s.amount).map((s) => ({ value: String(inDealCurrency(d, s.amount)), at: s.at }))),
      closedate: versions(changed((s) => iso(s.close)).map((s) => ({ value: iso(s.close), at: s.at }))),
    };
  };
  write(
    'deals',
    page(
      world.deals.map((d) => {
        const entered: Row = {};
        for (const step of d.history)
          entered[`hs_date_entered_${HUBSPOT_STAGES[Math.min(step.stage, HUBSPOT_STAGES.length - 1)]!.id}`] ??= iso(
            step.at,
          );
        if (d.closed) entered[`hs_date_entered_${stageId(d)}`] = iso(d.closed);
        const object = hubspotObject(
          deal(d.n),
          {
            // A multi-currency portal: amount in the deal's currency, amount_in_home_currency in the company currency (USD).
            dealname: d.name,
            amount: inDealCurrency(d, d.amount),
            amount_in_home_currency: d.amount,
            dealstage: stageId(d),
            pipeline: 'default',
            closedate: iso(d.closed ?? d.expectedClose),
            createdate: iso(d.created),
            hubspot_owner_id: owner(d.owner),
            dealtype: d.kind === 'new' ? 'newbusiness' : 'existingbusiness',
            hs_is_closed: d.outcome !== 'open',
            hs_is_closed_won: d.outcome === 'won',
            hs_deal_stage_probability: probability(stageId(d)),
            deal_currency_code: d.currency,
            hs_analytics_source: d.n % 2 ? 'ORGANIC_SEARCH' : 'REFERRALS',
            ...entered,
          },
          d.created,
          {
            companies: [{ id: company(d.account), type: 'deal_to_company' }],
            contacts: d.roles.map((r) => ({ id: contact(r.contact), type: 'deal_to_contact' })),
          },
        );
        return { ...(object as object), propertiesWithHistory: withHistory(d) };
      }),
    ),
  );
  write(
    'pipelines',
    page([
      {
        id: 'default',
        label: 'Sales Pipeline',
        displayOrder: 0,
        archived: false,
        createdAt: '2023-01-01T00:00:00.000Z',
        updatedAt: '2023-01-01T00:00:00.000Z',
        stages: [
          ...HUBSPOT_STAGES.map((s, i) => ({
            ...s,
            displayOrder: i,
            metadata: { isClosed: 'false', probability: String(s.probability) },
          })),
          { id: 'closedwon', label: 'Closed Won', displayOrder: 6, metadata: { isClosed: 'true', probability: '1.0' } },
          {
            id: 'closedlost',
            label: 'Closed Lost',
            displayOrder: 7,
            metadata: { isClosed: 'true', probability: '0.0' },
          },
        ].map(({ id, label, displayOrder, metadata }) => ({
          id,
          label,
          displayOrder,
          metadata,
          archived: false,
          createdAt: '2023-01-01T00:00:00.000Z',
          updatedAt: '2023-01-01T00:00:00.000Z',
          writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
        })),
      },
    ]),
  );
  const engagement = (a: World['activities'][number], properties: Row) =>
    hubspotObject(
      String(30000 + a.n),
      { hs_timestamp: iso(a.at), hubspot_owner_id: owner(a.owner), ...properties },
      a.at,
      {
        contacts: a.contacts.map((c) => ({ id: contact(c), type: `${properties.__kind}_to_contact` })),
        ...(a.deal ? { deals: [{ id: deal(a.deal), type: `${properties.__kind}_to_deal` }] } : {}),
        companies: [{ id: company(a.account), type: `${properties.__kind}_to_company` }],
      },
    );
  const strip = (o: unknown) => JSON.parse(JSON.stringify(o, (k, v) => (k === '__kind' ? undefined : v)));
  write(
    'calls',
    page(
      world.activities
        .filter((a) => a.kind === 'call')
        .map((a) =>
          strip(
            engagement(a, {
              __kind: 'call',
              hs_call_direction: a.inbound ? 'INBOUND' : 'OUTBOUND',
              hs_call_duration: a.minutes * 60_000,
              hs_call_title: 'Call',
            }),
          ),
        ),
    ),
  );
  write(
    'emails',
    page(
      world.activities
        .filter((a) => a.kind === 'email' || a.kind === 'other')
        .map((a) =>
          strip(
            engagement(a, {
              __kind: 'email',
              hs_email_direction: a.inbound ? 'INCOMING_EMAIL' : 'EMAIL',
              hs_email_subject: 'Re: proposal',
            }),
          ),
        ),
    ),
  );
  write(
    'meetings',
    page(
      world.activities
        .filter((a) => a.kind === 'meeting')
        .map((a) =>
          strip(
            engagement(a, {
              __kind: 'meeting',
              hs_meeting_title: 'Meeting',
              hs_meeting_start_time: iso(a.at),
              hs_meeting_end_time: iso(new Date(a.at.getTime() + a.minutes * 60_000)),
            }),
          ),
        ),
    ),
  );
  let item = 0;
  write(
    'line_items',
    page(
      world.deals.flatMap((d) =>
        d.lineItems.map((x) =>
          hubspotObject(
            String(60000 + ++item),
            {
              name: x.product,
              quantity: x.quantity,
              price: x.price,
              hs_discount_percentage: x.discount,
              amount: x.quantity * x.price,
              createdate: iso(x.at),
            },
            x.at,
            { deals: [{ id: deal(d.n), type: 'line_item_to_deal' }] },
          ),
        ),
      ),
    ),
  );
  // Associations API v4 (batch read deals -> contacts): an unlabelled default type beside the label.
  writeFileSync(
    join(dir, 'deal_contact_associations.json'),
    `${JSON.stringify({
      status: 'COMPLETE',
      startedAt: iso(world.asOf),
      completedAt: iso(world.asOf),
      results: world.deals
        .filter((d) => d.roles.length > 0)
        .map((d) => ({
          from: { id: deal(d.n) },
          to: d.roles.map((r) => ({
            toObjectId: Number(contact(r.contact)),
            associationTypes: [
              { category: 'HUBSPOT_DEFINED', typeId: 3, label: null },
              { category: 'USER_DEFINED', typeId: 12, label: HS_LABEL[r.role] ?? null },
            ],
          })),
        })),
    })}\n`,
  );
}

/** A HubSpot UI export's date-time: `2026-03-31 14:05` (the portal's time zone, UTC here). */
const hubspotUiTime = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

/** CSV as HubSpot's exports write it: a header of property labels, every value quoted. */
function uiCsv(rows: Row[], columns: string[]): string {
  const quote = (v: Row[string] | undefined) =>
    `"${v === null || v === undefined ? '' : String(v).replaceAll('"', '""')}"`;
  return `${[columns.map(quote).join(','), ...rows.map((r) => columns.map((c) => quote(r[c])).join(','))].join('\n')}\n`;
}

/**
 * HubSpot exports from the UI (records index > Export, all properties, associations included) and
 * the users export (Settings > Users & Teams), each saved under the object's name: property labels as
 * headers, stage labels ("Decision Maker Bought-In"), owners by name, `YYYY-MM-DD HH:mm`, associated
 * record ids as `id1;id2`. No pipelines, association labels or engagements.
 */
export function writeHubspotUiExport(world: World, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const write = (file: string, rows: Row[], columns: string[]) =>
    writeFileSync(join(dir, `${file}.csv`), uiCsv(rows, columns));
  const company = (n: number) => String(5000 + n);
  const owner = (n: number) => `${world.users[n - 1]!.first} ${world.users[n - 1]!.last}`;
  write(
    'owners',
    world.users.map((u) => ({
      'User ID': 41_000_000 + u.n,
      'First name': u.first,
      'Last name': u.last,
      'Email address': `${u.first.toLowerCase()}@example.com`,
      'Last login date': '2026-06-29 08:02',
      'Assigned teams': u.department,
      'Assigned role': u.n === 1 ? 'Sales Manager' : 'Sales Rep',
      Permissions: 'Sales Hub Professional',
    })),
    [
      'User ID',
      'First name',
      'Last name',
      'Email address',
      'Last login date',
      'Assigned teams',
      'Assigned role',
      'Permissions',
    ],
  );
  write(
    'companies',
    world.accounts.map((a) => ({
      'Record ID': company(a.n),
      'Company name': a.name,
      Industry: a.industry.toUpperCase(),
      'Country/Region': a.country,
      'Number of Employees': a.employees,
      'Annual Revenue': a.revenue,
      'Company owner': owner(a.owner),
      'Create Date': hubspotUiTime(a.created),
    })),
    [
      'Record ID',
      'Company name',
      'Industry',
      'Country/Region',
      'Number of Employees',
      'Annual Revenue',
      'Company owner',
      'Create Date',
    ],
  );
  write(
    'contacts',
    world.contacts.map((c) => ({
      'Record ID': String(7000 + c.n),
      'First Name': c.first,
      'Last Name': c.last,
      Email: `${c.first}.${c.last}${c.n}@customer.example`.toLowerCase(),
      'Job Title': c.title,
      'Associated Company': world.accounts[c.account - 1]!.name,
      'Associated Company IDs': company(c.account),
      'Create Date': hubspotUiTime(c.created),
    })),
    [
      'Record ID',
      'First Name',
      'Last Name',
      'Email',
      'Job Title',
      'Associated Company',
      'Associated Company IDs',
      'Create Date',
    ],
  );
  const label = (d: Deal) =>
    d.outcome === 'won'
      ? 'Closed Won'
      : d.outcome === 'lost'
        ? 'Closed Lost'
        : HUBSPOT_STAGES[Math.min(d.stage, HUBSPOT_STAGES.length - 1)]!.label;
  const probability = (d: Deal) =>
    d.outcome === 'won'
      ? 1
      : d.outcome === 'lost'
        ? 0
        : HUBSPOT_STAGES[Math.min(d.stage, HUBSPOT_STAGES.length - 1)]!.probability;
  write(
    'deals',
    world.deals.map((d) => ({
      'Record ID': String(9000 + d.n),
      'Deal Name': d.name,
      Pipeline: 'Sales Pipeline',
      'Deal Stage': label(d),
      'Deal probability': probability(d),
      'Close Date': hubspotUiTime(d.closed ?? d.expectedClose),
      'Create Date': hubspotUiTime(d.created),
      'Deal owner': owner(d.owner),
      'Deal Type': d.kind === 'new' ? 'New Business' : 'Existing Business',
      'Original Source': d.n % 2 ? 'Organic Search' : 'Referrals',
      Amount: inDealCurrency(d, d.amount),
      'Amount in company currency': d.amount,
      Currency: d.currency,
      // The primary company first; some deals are associated with a second company (a subsidiary).
      'Associated Company IDs': [
        company(d.account),
        ...(d.n % 7 === 0 ? [company((d.account % world.accounts.length) + 1)] : []),
      ].join(';'),
      'Associated Contact IDs': d.roles.map((r) => String(7000 + r.contact)).join(';'),
    })),
    [
      'Record ID',
      'Deal Name',
      'Pipeline',
      'Deal Stage',
      'Deal probability',
      'Close Date',
      'Create Date',
      'Deal owner',
      'Deal Type',
      'Original Source',
      'Amount',
      'Amount in company currency',
      'Currency',
      'Associated Company IDs',
      'Associated Contact IDs',
    ],
  );
}

// ---------------------------------------------------------------- Dynamics 365

/** The lead-to-opportunity sales process's stages (stepname) and their salesstage option values. */
export const DYNAMICS_STAGES = [
  { name: '1-Qualify', probability: 0.2 },
  { name: '2-Develop', probability: 0.4 },
  { name: '3-Propose', probability: 0.6 },
  { name: '4-Close', probability: 0.8 },
];

const guid = (kind: number, n: number) =>
  `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const D_ROLE: Record<string, string> = {
  decision_maker: 'Decision Maker',
  economic_buyer: 'Economic Buyer',
  champion: 'Champion',
  technical: 'Technical Buyer',
  end_user: 'End User',
  influencer: 'Stakeholder',
};
const FORMATTED = '@OData.Community.Display.V1.FormattedValue';
const LOGICAL = '@Microsoft.Dynamics.CRM.lookuplogicalname';

/** The Dataverse tables' rows with Web API names (`_x_value` lookups and their annotations). */
function dataverseTables(world: World): Record<string, Row[]> {
  const G = {
    account: 1,
    user: 2,
    contact: 3,
    opportunity: 4,
    connection: 5,
    activity: 6,
    party: 7,
    role: 8,
    currency: 9,
  };
  const usd = guid(G.currency, 1);
  const eur = guid(G.currency, 2);
  const lookup = (name: string, id: string | null, table: string, formatted?: string): Row => ({
    [`_${name}_value`]: id,
    ...(formatted ? { [`_${name}_value${FORMATTED}`]: formatted } : {}),
    ...(id ? { [`_${name}_value${LOGICAL}`]: table } : {}),
  });
  const rate = EUR_PER_USD;
  const opportunities = world.deals.map((d) => {
    const stage = Math.min(d.stage, DYNAMICS_STAGES.length - 1);
    const value = d.currency === 'EUR' ? Math.round(d.amount * rate) : d.amount;
    const exchange = d.currency === 'EUR' ? rate : 1;
    return {
      opportunityid: guid(G.opportunity, d.n),
      name: d.name,
      ...lookup('parentaccountid', guid(G.account, d.account), 'account'),
      ...lookup('customerid', guid(G.account, d.account), 'account'),
      ...lookup('ownerid', guid(G.user, d.owner), 'systemuser'),
      createdon: iso(d.created),
      estimatedclosedate: day(d.expectedClose),
      actualclosedate: d.closed ? day(d.closed) : null,
      statecode: d.outcome === 'open' ? 0 : d.outcome === 'won' ? 1 : 2,
      statuscode: d.outcome === 'open' ? 1 : d.outcome === 'won' ? 3 : 4,
      stepname: DYNAMICS_STAGES[stage]!.name,
      salesstage: stage,
      closeprobability: Math.round(DYNAMICS_STAGES[stage]!.probability * 100),
      estimatedvalue: value,
      estimatedvalue_base: d.amount,
      actualvalue: d.outcome === 'won' ? value : null,
      actualvalue_base: d.outcome === 'won' ? d.amount : null,
      ...lookup(
        'transactioncurrencyid',
        d.currency === 'EUR' ? eur : usd,
        'transactioncurrency',
        d.currency === 'EUR' ? 'Euro' : 'US Dollar',
      ),
      exchangerate: exchange,
    };
  });
  let connection = 0;
  const connections = world.deals.flatMap((d) =>
    d.roles.flatMap((r) => {
      const role = guid(G.role, ROLE_NUMBER[r.role] ?? 9);
      const forward = {
        connectionid: guid(G.connection, ++connection),
        ...lookup('record1id', guid(G.opportunity, d.n), 'opportunity'),
        record1objecttypecode: 'opportunity',
        ...lookup('record2id', guid(G.contact, r.contact), 'contact'),
        record2objecttypecode: 'contact',
        ...lookup('record2roleid', role, 'connectionrole', D_ROLE[r.role] ?? 'Stakeholder'),
        createdon: iso(r.at),
        statecode: 0,
      };
      // Dataverse stores every connection twice: the reciprocal row swaps the records.
      const reciprocal = {
        connectionid: guid(G.connection, ++connection),
        ...lookup('record1id', guid(G.contact, r.contact), 'contact'),
        record1objecttypecode: 'contact',
        ...lookup('record2id', guid(G.opportunity, d.n), 'opportunity'),
        record2objecttypecode: 'opportunity',
        ...lookup('record1roleid', role, 'connectionrole', D_ROLE[r.role] ?? 'Stakeholder'),
        createdon: iso(r.at),
        statecode: 0,
      };
      return [forward, reciprocal];
    }),
  );
  const code = { call: 'phonecall', email: 'email', meeting: 'appointment', other: 'task' } as const;
  let party = 0;
  return {
    account: world.accounts.map((a) => ({
      accountid: guid(G.account, a.n),
      name: a.name,
      industrycode: 1 + (a.n % 4),
      address1_country: a.country,
      numberofemployees: a.employees,
      revenue: a.revenue,
      revenue_base: a.revenue,
      ...lookup('ownerid', guid(G.user, a.owner), 'systemuser'),
      createdon: iso(a.created),
    })),
    systemuser: world.users.map((u) => ({
      systemuserid: guid(G.user, u.n),
      fullname: `${u.first} ${u.last}`,
      title: u.title,
      ...lookup('businessunitid', guid(99, 1), 'businessunit', u.department),
      address1_stateorprovince: 'Bavaria',
      ...lookup('parentsystemuserid', u.manager ? guid(G.user, u.manager) : null, 'systemuser'),
    })),
    contact: world.contacts.map((c) => ({
      contactid: guid(G.contact, c.n),
      ...lookup('parentcustomerid', guid(G.account, c.account), 'account'),
      firstname: c.first,
      lastname: c.last,
      emailaddress1: `${c.first}.${c.last}${c.n}@customer.example`.toLowerCase(),
      jobtitle: c.title,
      department: c.department,
      createdon: iso(c.created),
    })),
    opportunity: opportunities,
    connection: connections,
    competitor: ['Acme Corp', 'Globex', 'Initech'].map((name, i) => ({ competitorid: guid(10, i + 1), name })),
    opportunitycompetitors: world.deals.flatMap((d) =>
      d.competitors.map((x, i) => ({
        opportunitycompetitorid: guid(11, d.n * 10 + i),
        opportunityid: guid(G.opportunity, d.n),
        competitorid: guid(10, ['Acme Corp', 'Globex', 'Initech'].indexOf(x.name) + 1),
      })),
    ),
    opportunityproduct: world.deals.flatMap((d) =>
      d.lineItems.map((x, i) => ({
        opportunityproductid: guid(12, d.n * 10 + i),
        ...lookup('opportunityid', guid(G.opportunity, d.n), 'opportunity'),
        ...lookup(
          'productid',
          guid(13, ['Platform', 'Analytics', 'Support'].indexOf(x.product) + 1),
          'product',
          x.product,
        ),
        quantity: x.quantity,
        priceperunit: x.price,
        priceperunit_base: x.price,
        manualdiscountamount: Math.round(x.quantity * x.price * x.discount) / 100,
        createdon: iso(x.at),
      })),
    ),
    // The close activity Dataverse writes when a deal is won or lost (completed: statecode 1, statuscode 2).
    opportunityclose: world.deals
      .filter((d) => d.closed)
      .map((d) => {
        const competitor = d.outcome === 'lost' ? d.competitors[0]?.name : undefined;
        return {
          activityid: guid(15, d.n),
          subject: d.outcome === 'won' ? 'Won' : 'Lost',
          ...lookup('opportunityid', guid(G.opportunity, d.n), 'opportunity'),
          actualend: day(d.closed!),
          actualrevenue: d.outcome === 'won' ? (d.currency === 'EUR' ? Math.round(d.amount * rate) : d.amount) : 0,
          ...lookup(
            'competitorid',
            competitor ? guid(10, ['Acme Corp', 'Globex', 'Initech'].indexOf(competitor) + 1) : null,
            'competitor',
            competitor,
          ),
          opportunitystatecode: d.outcome === 'won' ? 1 : 2,
          opportunitystatuscode: d.outcome === 'won' ? 3 : 5,
          statecode: 1,
          statuscode: 2,
          createdon: iso(d.closed!),
        };
      }),
    connectionrole: Object.entries(ROLE_NUMBER).map(([role, n]) => ({
      connectionroleid: guid(G.role, n),
      name: D_ROLE[role]!,
      category: 1,
      statecode: 0,
    })),
    activitypointer: world.activities.map((a) => ({
      activityid: guid(G.activity, a.n),
      activitytypecode: code[a.kind],
      subject: a.kind,
      ...lookup(
        'regardingobjectid',
        a.deal ? guid(G.opportunity, a.deal) : guid(G.account, a.account),
        a.deal ? 'opportunity' : 'account',
      ),
      ...lookup('ownerid', guid(G.user, a.owner), 'systemuser'),
      actualstart: iso(a.at),
      actualend: iso(new Date(a.at.getTime() + a.minutes * 60_000)),
      actualdurationminutes: a.minutes,
      directioncode: a.kind === 'meeting' ? null : !a.inbound,
      createdon: iso(a.at),
    })),
    activityparty: world.activities.flatMap((a) => [
      {
        activitypartyid: guid(G.party, ++party),
        ...lookup('activityid', guid(G.activity, a.n), 'activitypointer'),
        ...lookup('partyid', guid(G.user, a.owner), 'systemuser'),
        participationtypemask: 9,
      },
      ...a.contacts.map((c) => ({
        activitypartyid: guid(G.party, ++party),
        ...lookup('activityid', guid(G.activity, a.n), 'activitypointer'),
        ...lookup('partyid', guid(G.contact, c), 'contact'),
        participationtypemask: a.inbound ? 1 : 2,
      })),
    ]),
  };
}
const ROLE_NUMBER: Record<string, number> = {
  decision_maker: 1,
  economic_buyer: 2,
  champion: 3,
  technical: 4,
  end_user: 5,
  influencer: 6,
};

/**
 * The audit table as the Web API returns it (auditing on for opportunity): a create record, then an
 * update record per change, its changedata a JSON text of the changed columns with old and new values.
 * Synapse Link does not export audit.
 */
function dataverseAudit(world: World): Row[] {
  let n = 0;
  return world.deals.flatMap((d) => {
    const value = (usd: number) => (d.currency === 'EUR' ? Math.round(usd * EUR_PER_USD) : usd);
    const steps = d.history.map((h) => ({
      at: h.at,
      stepname: DYNAMICS_STAGES[Math.min(h.stage, DYNAMICS_STAGES.length - 1)]!.name,
      value: value(h.amount),
      close: day(h.close),
      state: 0,
    }));
    if (d.closed) steps.push({ ...steps[steps.length - 1]!, at: d.closed, state: d.outcome === 'won' ? 1 : 2 });
    return steps.map((step, i) => {
      const before = steps[i - 1];
      const changes = (
        [
          ['stepname', 'stepname'],
          ['estimatedvalue', 'value'],
          ['estimatedclosedate', 'close'],
          ['statecode', 'state'],
        ] as const
      )
        .filter(([, key]) => !before || before[key] !== step[key])
        .map(([logicalName, key]) => ({
          logicalName,
          oldValue: before ? String(before[key]) : null,
          newValue: String(step[key]),
        }));
      return {
        auditid: guid(14, ++n),
        ...{ _objectid_value: guid(4, d.n), '_objectid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'opportunity' },
        objecttypecode: 'opportunity',
        action: i === 0 ? 1 : 2,
        operation: i === 0 ? 1 : 2,
        createdon: iso(step.at),
        _userid_value: guid(2, d.owner),
        changedata: JSON.stringify({ changedAttributes: changes }),
      };
    });
  });
}

/** Dataverse Web API JSON: one `{"@odata.context", "value": [...]}` page per table. */
export function writeDynamicsWebApi(world: World, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [table, rows] of Object.entries({ ...dataverseTables(world), audit: dataverseAudit(world) })) {
    const value = rows.map((r, i) => ({ '@odata.etag': `W/"${1000 + i}"`, ...r }));
    writeFileSync(
      join(dir, `${table}.json`),
      `${JSON.stringify({ '@odata.context': `https://org.crm4.dynamics.com/api/data/v9.2/$metadata#${table}s`, value })}\n`,
    );
  }
}

/**
 * Azure Synapse Link for Dataverse: per table a folder of headerless CSV partitions, the columns
 * listed in model.json; lookups under their logical names, a polymorphic lookup's table in its
 * type-code column (partyobjecttypecode, regardingobjecttypecode); no formatted values.
 */
export function writeDynamicsSynapse(world: World, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const entities: unknown[] = [];
  for (const [table, rows] of Object.entries(dataverseTables(world))) {
    const plain = rows.map((r) => {
      const out: Row = {};
      for (const [k, v] of Object.entries(r)) {
        if (k.endsWith(FORMATTED)) continue;
        const logical = /^_(.+)_value@Microsoft\.Dynamics\.CRM\.lookuplogicalname$/.exec(k);
        if (logical) {
          const typeColumn = { partyid: 'partyobjecttypecode', regardingobjectid: 'regardingobjecttypecode' }[
            logical[1]!
          ];
          if (typeColumn) out[typeColumn] = v;
          continue;
        }
        out[k.replace(/^_(.+)_value$/, '$1')] = v;
      }
      return out;
    });
    const columns = ['Id', 'SinkCreatedOn', 'SinkModifiedOn', ...new Set(plain.flatMap((r) => Object.keys(r)))];
    const quote = (v: Row[string] | undefined) =>
      v === null || v === undefined
        ? ''
        : /[",\n]/.test(String(v))
          ? `"${String(v).replaceAll('"', '""')}"`
          : String(v);
    mkdirSync(join(dir, table), { recursive: true });
    const lines = plain.map((r, i) =>
      [
        String(i + 1),
        '2026-06-30T01:00:00.0000000Z',
        '2026-06-30T01:00:00.0000000Z',
        ...columns.slice(3).map((c) => quote(r[c])),
      ].join(','),
    );
    writeFileSync(join(dir, table, '2026-06.csv'), `${lines.join('\n')}\n`);
    entities.push({
      $type: 'LocalEntity',
      name: table,
      description: table,
      attributes: columns.map((name) => ({
        name,
        dataType: name === 'Id' ? 'guid' : /on$|date|start|end/.test(name) ? 'dateTime' : 'string',
      })),
      partitions: [
        { name: '2026-06', location: `https://account.dfs.core.windows.net/dataverse-org/${table}/2026-06.csv` },
      ],
    });
  }
  writeFileSync(join(dir, 'model.json'), `${JSON.stringify({ name: 'cdm', version: '1.0', entities })}\n`);
}

/** Every shape this writer knows: its fixture folder, layout, stage list and writer. */
export const VENDOR_SHAPES = [
  {
    folder: 'salesforce-dataloader',
    layout: 'salesforce',
    stages: SALESFORCE_STAGES,
    write: writeSalesforceDataLoader,
  },
  {
    folder: 'hubspot-crm-api',
    layout: 'hubspot',
    stages: HUBSPOT_STAGES.map((s) => ({ name: s.id, probability: s.probability })),
    write: writeHubspotApi,
  },
  { folder: 'salesforce-report', layout: 'salesforce', stages: SALESFORCE_STAGES, write: writeSalesforceReport },
  {
    folder: 'hubspot-ui-export',
    layout: 'hubspot',
    stages: HUBSPOT_STAGES.map((s) => ({ name: s.label, probability: s.probability })),
    write: writeHubspotUiExport,
  },
  { folder: 'dynamics-web-api', layout: 'dynamics', stages: DYNAMICS_STAGES, write: writeDynamicsWebApi },
  { folder: 'dynamics-synapse-link', layout: 'dynamics', stages: DYNAMICS_STAGES, write: writeDynamicsSynapse },
];
