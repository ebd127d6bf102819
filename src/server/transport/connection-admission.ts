import { isIPv6 } from 'node:net';

/** Caps on connections that have not authenticated yet, across both transports. */
export interface AdmissionLimits {
  /** Unauthenticated connections at once, all peers together. Default 1,024. */
  maxUnauthenticated?: number;
  /** Unauthenticated connections at once from one peer address (an IPv6 /64 counts as one). Default 64. */
  maxUnauthenticatedPerAddress?: number;
}

export const DEFAULT_MAX_UNAUTHENTICATED = 1024;
export const DEFAULT_MAX_UNAUTHENTICATED_PER_ADDRESS = 64;

/** A held place of one unauthenticated connection; released once (authenticated or closed). */
export interface AdmissionTicket {
  release(): void;
}

/** Why a connection was not admitted: every place of its address, or of the server, is taken. */
export type AdmissionRefusal = 'address' | 'total';

/**
 * Counts connections between accept and authentication, per peer address and in total, so that
 * a flood of connections that never authenticate (slowloris, handshake floods) holds a bounded
 * number of sockets and buffers. Authenticated connections are bounded per credential instead.
 */
export class ConnectionAdmission {
  private readonly maxTotal: number;
  private readonly maxPerAddress: number;
  private readonly byAddress = new Map<string, number>();
  private total = 0;

  constructor(limits: AdmissionLimits = {}) {
    this.maxTotal = limits.maxUnauthenticated ?? DEFAULT_MAX_UNAUTHENTICATED;
    this.maxPerAddress = limits.maxUnauthenticatedPerAddress ?? DEFAULT_MAX_UNAUTHENTICATED_PER_ADDRESS;
  }

  /** Unauthenticated connections held now (all addresses). */
  get unauthenticated(): number {
    return this.total;
  }

  /** A place for a new connection from `address`, or why there is none. */
  admit(address: string | undefined): AdmissionTicket | AdmissionRefusal {
    const key = addressKey(address);
    const held = this.byAddress.get(key) ?? 0;
    if (held >= this.maxPerAddress) return 'address';
    if (this.total >= this.maxTotal) return 'total';
    this.byAddress.set(key, held + 1);
    this.total++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.byAddress.get(key) ?? 1) - 1;
        if (left === 0) this.byAddress.delete(key);
        else this.byAddress.set(key, left);
      },
    };
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
