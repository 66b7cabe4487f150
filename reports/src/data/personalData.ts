/**
 * Whether contact and employee names may reach the published site. Off unless the report is built
 * with `showPersonalData` (build.ts passes it to the loaders as WUWEI_SHOW_PERSONAL_DATA=true):
 * otherwise people appear by id and role only.
 */
export const PERSONAL_DATA_ENV = 'WUWEI_SHOW_PERSONAL_DATA';

export function showPersonalData(): boolean {
  return process.env[PERSONAL_DATA_ENV] === 'true';
}
