import { randomBytes } from 'node:crypto';
import type pg from 'pg';

export interface DemoSecrets {
  readonly appKey: string;
  readonly appSecret: string;
  readonly accessToken: string;
}

/**
 * The demo credential of a fleet without a configuration file, kept in PostgreSQL
 * (`gateway_demo_credential`): the first gateway to start creates it, every other one (and every
 * restart) reads the same, so SDK settings printed by any gateway work on all of them.
 */
export async function fleetDemoSecrets(pool: pg.Pool): Promise<DemoSecrets> {
  await pool.query(
    'INSERT INTO gateway_demo_credential (app_key, app_secret, access_token) VALUES ($1, $2, $3) ON CONFLICT (singleton) DO NOTHING',
    [`demo-${randomBytes(6).toString('hex')}`, randomBytes(24).toString('hex'), `demo-token-${randomBytes(18).toString('hex')}`],
  );
  const { rows } = await pool.query<{ app_key: string; app_secret: string; access_token: string }>(
    'SELECT app_key, app_secret, access_token FROM gateway_demo_credential',
  );
  const row = rows[0];
  if (!row) throw new Error('the fleet demo credential could not be created');
  return { appKey: row.app_key, appSecret: row.app_secret, accessToken: row.access_token };
}
