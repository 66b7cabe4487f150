/** How the forecast benches print shares: 0.123 as "12.3%", with a sign (a true minus) where it is a bias. */
export const percent = (share: number, digits = 1) => `${(100 * share).toFixed(digits)}%`;
export const signedPercent = (share: number) => `${share >= 0 ? '+' : '−'}${percent(Math.abs(share))}`;
