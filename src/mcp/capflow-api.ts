import type { RestClient } from '../client/rest-client.js';

/**
 * What the MCP tools ask capflow: the REST API's methods, as the client package's RestClient
 * offers them. Over stdio it is a RestClient signing with the user's credential; behind `/mcp`
 * one whose requests go to the server's own REST handlers as the token's credential. Either
 * way every call passes the REST API's permission checks and rate limits.
 */
export type CapflowApi = Pick<RestClient, 'intraday' | 'distribution' | 'history' | 'rankings' | 'minuteTrades' | 'symbols'>;
