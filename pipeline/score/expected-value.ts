/**
 * A scored deal's expected value, the one definition the moves stage (which deals to price) and every
 * report page (key deals, the deals list, an account's potential, the night's changes) use: win
 * probability x expected amount, the deal-size model's where the scores have it (`hasExpectedAmount`:
 * scores written before the deal-size model lack the column), else the rep's amount.
 */
export function expectedValueSql(scores: string, hasExpectedAmount: boolean): string {
  const amount = hasExpectedAmount ? `${scores}.expected_amount, ${scores}.amount` : `${scores}.amount`;
  return `${scores}.win_probability * coalesce(${amount}, 0)`;
}
