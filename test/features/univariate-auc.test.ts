import { describe, expect, it } from 'vitest';
import { withDatabase } from '../../pipeline/base/db.ts';
import { univariateAuc } from '../../pipeline/features/univariate-auc.ts';

describe('univariate AUC in SQL', () => {
  it('counts pairs by hand: ties score one half, NULLs are left out, strata compare only within themselves', async () => {
    await withDatabase(':memory:', async (conn) => {
      await conn.run(`CREATE TABLE t AS SELECT * FROM (VALUES
        (1, 3.0, 1.0, 'a'), (1, 2.0, NULL, 'a'), (0, 2.0, 5.0, 'a'), (0, 1.0, 4.0, 'b'), (1, 0.5, 3.0, 'b'), (NULL, 9.0, 9.0, 'b')
      ) AS v(won, x, z, s)`);
      const [x, z, constant] = await univariateAuc(conn, 't', 'won', ['x', 'z', 'won']);
      // x: won {3, 2, 0.5} vs lost {2, 1}: pairs won>lost: 3>2, 3>1, 2>1 = 3; tie 2=2 counts 1/2; 0.5 loses both -> 3.5 / 6
      expect(x!.auc).toBeCloseTo(3.5 / 6, 12);
      expect(x!.rows).toBe(5);
      expect(x!.coverage).toBe(1);
      // z: won {1, 3} (one NULL dropped) vs lost {5, 4}: no pair won > lost
      expect(z!.auc).toBe(0);
      expect(z!.coverage).toBeCloseTo(4 / 5, 12);
      // the outcome itself separates perfectly
      expect(constant!.auc).toBe(1);

      const [within] = await univariateAuc(conn, 't', 'won', ['x'], { strata: 's' });
      // stratum a: won {3, 2} vs lost {2}: 1 + 1/2; stratum b: won {0.5} vs lost {1}: 0 -> 1.5 / (2 + 1)
      expect(within!.auc).toBeCloseTo(1.5 / 3, 12);
    });
  });
});
