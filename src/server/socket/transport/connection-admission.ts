import { isIPv6 } from 'node:net';

/** Caps on connections that have not authenticated yet, across both transports. */
export interface AdmissionLimits {
  /** Unauthenticated connections at once, all peers together; a new one beyond it evicts the oldest. Default 1,024. */
  maxUnauthenticated?: number;
  /** Unauthenticated connections at once from one peer address (an IPv6 /64 counts as one); more are refused. Default 64. */
  maxUnauthenticatedPerAddress?: number;
}

export const DEFAULT_MAX_UNAUTHENTICATED = 1024;
export const DEFAULT_MAX_UNAUTHENTICATED_PER_ADDRESS = 64;

/** A held place of one unauthenticated connection; released once (authenticated or closed). */
export interface AdmissionTicket {
  release(): void;
}

interface Held {
  key: string;
  evict: () => void;
}

/**
 * Counts connections between accept and authentication, per peer address and in total, so that
 * a flood of connections that never authenticate (slowloris, handshake floods) holds a bounded
 * number of sockets and buffers. One address past its cap is refused; past the total cap the
 * oldest unauthenticated connection is dropped instead, so that a client arriving during a flood
 * from many addresses still gets in (it authenticates within milliseconds; an attacker's
 * connections wait). Authenticated connections are bounded per credential instead.
 */
export class ConnectionAdmission {
  private readonly maxTotal: number;
  private readonly maxPerAddress: number;
  private readonly byAddress = new Map<string, number>();
  /** Held places, oldest first (a Set keeps insertion order). */
  private readonly held = new Set<Held>();
  private evictions = 0;

  constructor(limits: AdmissionLimits = {}) {
    this.maxTotal = limits.maxUnauthenticated ?? DEFAULT_MAX_UNAUTHENTICATED;
    this.maxPerAddress = limits.maxUnauthenticatedPerAddress ?? DEFAULT_MAX_UNAUTHENTICATED_PER_ADDRESS;
  }

  /** Unauthenticated connections held now (all addresses). */
  get unauthenticated(): number {
    return this.held.size;
  }

  /** Unauthenticated connections dropped so far to make room for newer ones. */
  get evicted(): number {
    return this.evictions;
  }

  /**
   * A place for a new connection from `address`, or 'address' when that address holds all its
   * places. `evict` drops the connection should its place be needed for a newer one.
   */
  admit(address: string | undefined, evict: () => void): AdmissionTicket | 'address' {
    const key = addressKey(address);
    const count = this.byAddress.get(key) ?? 0;
    if (count >= this.maxPerAddress) return 'address';
    while (this.held.size >= this.maxTotal) {
      const oldest = this.held.values().next().value as Held;
      this.remove(oldest);
      this.evictions++;
      oldest.evict();
    }
    const entry: Held = { key, evict };
    this.held.add(entry);
    this.byAddress.set(key, count + 1);
    return { release: () => this.remove(entry) };
  }

  private remove(entry: Held): void {
    if (!this.held.delete(entry)) return;
    const left = (this.byAddress.get(entry.key) ?? 1) - 1;
    if (left === 0) this.byAddress.delete(entry.key);
    else this.byAddress.set(entry.key, left);
  }
}

/** The address an admission counts by: IPv4 (also when IPv4-mapped), or the /64 of an IPv6 address. */
export function addressKey(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of an IPv6 address (zone index dropped), without leading zeros. */
function expandIPv6(address: string): string[] {
  const bare = address.split('%')[0]!.toLowerCase();
  const [head, tail] = bare.includes('::') ? bare.split('::') : [bare, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((part) => part.replace(/^0+(?=.)/, ''));
}
