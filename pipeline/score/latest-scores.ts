/** `latest`: the open deals of the latest night. `scores` keeps every night; reports and their tables read the newest. */
export const LATEST_SCORES_CTE = `latest AS (SELECT * FROM scores WHERE as_of = (SELECT max(as_of) FROM scores))`;
