/**
 * The transaction helper keeps the error that stopped the work: when DuckDB has already ended the
 * transaction (as a full disk does), the rollback's "no transaction is active" never takes its place,
 * and the work's changes are gone either way.
 */
import { describe, expect, it } from 'vitest';
import { inTransaction, queryRows, withDatabase } from '../../pipeline/base/db.ts';

describe('inTransaction', () => {
  it('commits what the work did when it returns', async () => {
    await withDatabase(':memory:', async (conn) => {
      await conn.run('CREATE TABLE t (x INTEGER)');
      expect(await inTransaction(conn, async () => (await conn.run('INSERT INTO t VALUES (1), (2)'), 'done'))).toBe(
        'done',
      );
      expect(await queryRows(conn, 'SELECT count(*)::INTEGER AS n FROM t')).toEqual([{ n: 2 }]);
    });
  });

  it('rolls back and rethrows the first error, also when the transaction was already ended', async () => {
    await withDatabase(':memory:', async (conn) => {
      await conn.run('CREATE TABLE t (x INTEGER)');
      const failing = inTransaction(conn, async () => {
        await conn.run('INSERT INTO t VALUES (1)');
        throw new Error('disk full while writing t');
      });
      await expect(failing).rejects.toThrow('disk full while writing t');
      const ended = inTransaction(conn, async () => {
        await conn.run('INSERT INTO t VALUES (2)');
        await conn.run('ROLLBACK'); // what DuckDB does itself on a fatal error
        throw new Error('the first error');
      });
      await expect(ended).rejects.toThrow(/^the first error$/);
      expect(await queryRows(conn, 'SELECT count(*)::INTEGER AS n FROM t')).toEqual([{ n: 0 }]);
      // and the connection is usable again
      await inTransaction(conn, () => conn.run('INSERT INTO t VALUES (3)'));
      expect(await queryRows(conn, 'SELECT count(*)::INTEGER AS n FROM t')).toEqual([{ n: 1 }]);
    });
  });
});
