/** Where a running server answers, as the SDKs are pointed at it. */
export interface ServedUrls {
  /** `http://host:port`: the socket-token endpoints and the REST API. */
  readonly httpUrl: string;
  /** `ws://host:port/v2`: the socket protocol over WebSocket. */
  readonly wsUrl: string;
  /** `tcp://host:port`: the socket protocol over TCP, when served. */
  readonly tcpUrl?: string | undefined;
}

/** Both prefixes on one `export` line: `longbridge` SDKs read LONGBRIDGE_* first, then LONGPORT_*. */
function both(name: string, value: string): string {
  return `LONGPORT_${name}=${value} LONGBRIDGE_${name}=${value}`;
}

/**
 * The shell lines that point every official SDK family at this server:
 * - Rust-core SDKs (Node, Python, Java, C++, Rust; `longport` 3.x/4.x and `longbridge` 4.5+)
 *   read `*_HTTP_URL` and `*_QUOTE_WS_URL`;
 * - the Go SDKs (`longportapp/openapi-go` ≤ v0.16 and `longbridge/openapi-go` v0.20+) read
 *   `*_HTTP_URL` and `*_QUOTE_URL` (`ws://…` or `tcp://host:port`), not `*_QUOTE_WS_URL`.
 * With a credential, its key, secret and token too (only ever for the local demo credential).
 */
export function sdkEnvironmentLines(urls: ServedUrls, credential?: { appKey: string; appSecret: string; accessToken: string }): string[] {
  const lines: string[] = [];
  if (credential) {
    lines.push(
      `  export ${both('APP_KEY', credential.appKey)}`,
      `  export ${both('APP_SECRET', credential.appSecret)}`,
      `  export ${both('ACCESS_TOKEN', credential.accessToken)}`,
    );
  }
  lines.push(
    `  export ${both('HTTP_URL', urls.httpUrl)}`,
    `  export ${both('QUOTE_WS_URL', urls.wsUrl)}   # Rust-core SDKs: Node, Python, Java, C++, Rust`,
    `  export ${both('QUOTE_URL', urls.wsUrl)}   # Go SDKs`,
  );
  if (urls.tcpUrl) lines.push(`  # Go over TCP instead: export ${both('QUOTE_URL', urls.tcpUrl)}`);
  return lines;
}
