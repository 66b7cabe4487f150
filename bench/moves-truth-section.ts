/**
 * The moves-against-truth section of BENCHMARKS.md, from the record bench/moves-truth.ts keeps in
 * bench/moves-truth.json: how the model's expected uplifts rank moves and deals against the
 * generator's true ones, beside the naive rule, and what the allocation gains in truth.
 */
import type { TruthCheck } from '../pipeline/moves/truth-check.ts';
import { recordSection } from './render.ts';

/** What bench/moves-truth.ts records: the truth check, the allocation judged by the truth, per kind of move. */
export interface MovesTruthRecord extends TruthCheck {
  command: string;
  note: string;
  opportunities: number | null;
  seed: number | null;
  measuredAt: string;
  allocation: { method: string; assigned: number; modelGain: number; trueGain: number }[];
  perKind: { kind: string; moves: number; modelDelta: number; trueDelta: number }[];
}

const points = (p: number) => `${(100 * p).toFixed(1)} pts`;
const amount = (v: number) => `${Math.round(v / 1000).toLocaleString('en-US')}K`;

/** Writes the section into bench/results/ and re-renders BENCHMARKS.md. */
export function recordMovesTruthSection(repo: string, record: MovesTruthRecord): void {
  const optimal = record.allocation.find((a) => a.method === 'optimal');
  const bySize = record.allocation.find((a) => a.method === 'by_deal_size');
  const choice = record.trueUpliftOfChoice;
  const markdown = [
    `${record.opportunities ?? '?'} opportunities, seed ${record.seed ?? '?'}: ${record.moves.toLocaleString('en-US')} moves on ${record.deals} open deals. ${record.note}`,
    '',
    '| figure | model | naive rule |',
    '|---|---:|---:|',
    `| Spearman, model vs true change in win probability (all moves) | ${record.moveSpearman.toFixed(2)} | ${record.naiveMoveSpearman.toFixed(2)} |`,
    `| top-decile overlap with the true best moves | ${record.topDecileOverlap.toFixed(2)} | ${record.naiveTopDecileOverlap.toFixed(2)} |`,
    `| Spearman over deals, each deal's best move | ${record.dealSpearman.toFixed(2)} | — |`,
    `| true uplift of the one move chosen per deal (random ${points(choice.random)}, oracle ${points(choice.oracle)}) | ${points(choice.model)} | ${points(choice.naive)} |`,
    '',
    '| kind of move | moves | mean change by the model | mean true change |',
    '|---|---:|---:|---:|',
    ...record.perKind.map((k) => `| ${k.kind} | ${k.moves} | ${points(k.modelDelta)} | ${points(k.trueDelta)} |`),
    '',
    ...(optimal && bySize
      ? [
          `MCI allocation (${optimal.assigned} moves assigned): expected-value gain by the model ${amount(optimal.modelGain)} optimal vs ${amount(bySize.modelGain)} by deal size; in truth ${amount(optimal.trueGain)} vs ${amount(bySize.trueGain)}.`,
        ]
      : []),
  ].join('\n');
  recordSection(repo, 'moves-truth', {
    title: 'Next moves against the generator’s truth',
    order: 50,
    recordedAt: record.measuredAt,
    command: `\`${record.command}\``,
    targets: [
      {
        target: 'Moves: model ranks moves better than "always add the economic buyer" (Spearman)',
        measured: `${record.moveSpearman.toFixed(2)} vs ${record.naiveMoveSpearman.toFixed(2)}`,
        met: record.moveSpearman > record.naiveMoveSpearman,
      },
      ...(optimal && bySize
        ? [
            {
              target: 'Moves: allocation gains more in truth than assigning by deal size',
              measured: `${amount(optimal.trueGain)} vs ${amount(bySize.trueGain)}`,
              met: optimal.trueGain > bySize.trueGain,
            },
          ]
        : []),
    ],
    markdown,
  });
}
