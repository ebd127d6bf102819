import { decimalToString } from '../model/decimal.js';
import type { FlowStore } from '../store/flow-store.js';
import { fingerprintOf } from './relayed-trade.js';

/** A trade the target already holds: its id (absent when it came without one) and its fields. */
export interface HeldTrade {
  readonly id: string | undefined;
  readonly fingerprint: string;
}

/** What a relay reads back from where it records: a symbol-day's trades, oldest first. */
export interface RelayTargetReader {
  /** False when the target cannot be read back (a bus): `heldTrades` knows nothing. */
  readonly readable: boolean;
  /** The day's latest `limit` trades (all when undefined). */
  heldTrades(symbol: string, date: string, limit?: number): Promise<HeldTrade[]>;
  /** The highest number `numberOf` reads from the day's trade ids (0 when none): where a relay stands. */
  highestId(symbol: string, date: string, numberOf: (id: string) => number | undefined): Promise<number>;
}

/** Reads a store (`--data`, `--store`): the symbol-day's stored trades in acceptance order. */
export function storeReader(store: Pick<FlowStore, 'readDayColumns'>): RelayTargetReader {
  return {
    readable: true,
    async heldTrades(symbol, date, limit) {
      const columns = await store.readDayColumns(symbol, date);
      const from = limit === undefined ? 0 : Math.max(0, columns.count - limit);
      const held: HeldTrade[] = [];
      for (let row = from; row < columns.count; row++) {
        const idStart = columns.idStart[row] as number;
        const idEnd = columns.idEnd[row] as number;
        const exact = columns.exact.get(row);
        const price = exact ? decimalToString(exact.price) : decimalToString({ units: BigInt(columns.priceUnits[row] as number), scale: columns.priceScale[row] as number });
        held.push({
          id: idEnd > idStart ? columns.idBytes.toString('utf8', idStart, idEnd) : undefined,
          fingerprint: fingerprintOf({
            timestampMs: columns.timestamp[row] as number,
            price,
            volume: columns.volume[row] as number,
            direction: columns.direction[row] as number,
            tradeType: columns.tradeType.get(row) ?? '',
          }),
        });
      }
      return held;
    },
    async highestId(symbol, date, numberOf) {
      const columns = await store.readDayColumns(symbol, date);
      let highest = 0;
      // Ids only (no fingerprint per trade): a day may hold millions of trades.
      for (let row = 0; row < columns.count; row++) {
        const idStart = columns.idStart[row] as number;
        const idEnd = columns.idEnd[row] as number;
        if (idEnd === idStart) continue;
        const value = numberOf(columns.idBytes.toString('utf8', idStart, idEnd));
        if (value !== undefined && value > highest) highest = value;
      }
      return highest;
    },
  };
}

/** A target that cannot be read back (a bus): nothing is known to be held. */
export const unreadableTarget: RelayTargetReader = { readable: false, heldTrades: async () => [], highestId: async () => 0 };
