import { create, toBinary } from '@bufbuild/protobuf';
import { createHash } from 'node:crypto';
import { MARKETS } from '../../../model/market.js';
import { decodeBody } from '../../../protocol/body-codec.js';
import {
  RateLimitSchema,
  UserQuoteLevelDetail_MarketPackageDetailSchema,
  UserQuoteLevelDetail_PackageDetailSchema,
  UserQuoteLevelDetailSchema,
  UserQuoteProfileRequestSchema,
  UserQuoteProfileResponseSchema,
  type UserQuoteLevelDetail_MarketPackageDetail,
  type UserQuoteLevelDetail_PackageDetail,
} from '../../../protocol/gen/quote_pb.js';
import { effectiveRateLimits, subscribeLimitOf } from '../../auth/credential.js';
import type { CommandHandler } from './command-handler.js';

/** Package validity start (Unix seconds): packages are valid from the start of 2024. */
const PACKAGE_START_SECONDS = 1_704_067_200n;
/** A credential without expiry has packages valid until 2100-01-01. */
const PACKAGE_END_SECONDS = 4_102_444_800n;

/** Stable member id derived from the app key (the SDK shows it; it carries no meaning here). */
function memberIdOf(appKey: string): bigint {
  return createHash('sha256').update(appKey).digest().readBigUInt64BE(0) & 0x7fff_ffff_ffffn;
}

/** Command 4: the caller's quote profile, its rate limits and per-market packages. */
export const handleUserQuoteProfile: CommandHandler = (body, { credential }) => {
  decodeBody(UserQuoteProfileRequestSchema, body);
  const end = credential.expiresAt === undefined ? PACKAGE_END_SECONDS : BigInt(Math.floor(credential.expiresAt / 1000));
  const byPackageKey: Record<string, UserQuoteLevelDetail_PackageDetail> = {};
  const byMarketCode: Record<string, UserQuoteLevelDetail_MarketPackageDetail> = {};
  for (const market of MARKETS) {
    if (credential.markets.has(market)) {
      const pkg = create(UserQuoteLevelDetail_PackageDetailSchema, {
        key: `capflow-${market.toLowerCase()}`,
        name: `capflow ${market} capital flow`,
        description: `Capital flow intraday and distribution for ${market} securities`,
        start: PACKAGE_START_SECONDS,
        end,
      });
      byPackageKey[pkg.key] = pkg;
      byMarketCode[market] = create(UserQuoteLevelDetail_MarketPackageDetailSchema, { packages: [pkg] });
    } else {
      byMarketCode[market] = create(UserQuoteLevelDetail_MarketPackageDetailSchema, {
        warningMsg: `no ${market} quote permission for this credential`,
      });
    }
  }
  const rateLimit = [...effectiveRateLimits(credential)].map(([command, rule]) =>
    create(RateLimitSchema, { command, limit: rule.limit, burst: rule.burst }),
  );
  return toBinary(
    UserQuoteProfileResponseSchema,
    create(UserQuoteProfileResponseSchema, {
      memberId: memberIdOf(credential.appKey),
      quoteLevel: 'capflow',
      subscribeLimit: subscribeLimitOf(credential),
      historyCandlestickLimit: 0,
      rateLimit,
      quoteLevelDetail: create(UserQuoteLevelDetailSchema, { byPackageKey, byMarketCode }),
    }),
  );
};
