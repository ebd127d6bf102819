/**
 * Bundled market calendars (HK, US, CN, SG; 2024–2027): weekday full-day closures, half days
 * with the exchange's close time, the sources, and every date not yet officially published
 * (`projected`). A verbatim copy of the project spec's `calendars/calendars.json`, kept as a
 * TypeScript module (rather than a JSON import) so it loads on every Node 20.x without import
 * attributes and is checked by the compiler. To update: edit the JSON in the spec, then replace
 * the object literal below with its content (calendar-data.test.ts compares the two when the
 * spec folder is present).
 */

export interface CalendarHalfDay {
  readonly date: string;
  /** End of the exchange's continuous trading (local hh:mm); lines follow docs/computation.md §5. */
  readonly close: string;
}

export interface CalendarYear {
  /** Weekday full-day closures, `YYYY-MM-DD`. */
  readonly holidays: readonly string[];
  readonly half_days: readonly CalendarHalfDay[];
}

export interface CalendarSource {
  readonly id: string;
  readonly covers: string;
  readonly kind: string;
  readonly ref: string;
  readonly note?: string;
}

export interface ProjectedDate {
  readonly market: string;
  readonly year: string;
  readonly date: string;
  readonly kind: string;
  readonly status: string;
  readonly confidence: string;
  readonly basis: string;
  readonly close?: string;
}

export interface CalendarData {
  readonly HK: Readonly<Record<string, CalendarYear>>;
  readonly US: Readonly<Record<string, CalendarYear>>;
  readonly CN: Readonly<Record<string, CalendarYear>>;
  readonly SG: Readonly<Record<string, CalendarYear>>;
  readonly sources: readonly CalendarSource[];
  readonly projected: readonly ProjectedDate[];
}

export const CALENDAR_DATA: CalendarData = {
  "HK": {
    "2024": {
      "holidays": [
        "2024-01-01",
        "2024-02-12",
        "2024-02-13",
        "2024-03-29",
        "2024-04-01",
        "2024-04-04",
        "2024-05-01",
        "2024-05-15",
        "2024-06-10",
        "2024-07-01",
        "2024-09-06",
        "2024-09-18",
        "2024-10-01",
        "2024-10-11",
        "2024-12-25",
        "2024-12-26"
      ],
      "half_days": [
        {
          "date": "2024-02-09",
          "close": "12:00"
        },
        {
          "date": "2024-12-24",
          "close": "12:00"
        },
        {
          "date": "2024-12-31",
          "close": "12:00"
        }
      ]
    },
    "2025": {
      "holidays": [
        "2025-01-01",
        "2025-01-29",
        "2025-01-30",
        "2025-01-31",
        "2025-04-04",
        "2025-04-18",
        "2025-04-21",
        "2025-05-01",
        "2025-05-05",
        "2025-07-01",
        "2025-10-01",
        "2025-10-07",
        "2025-10-29",
        "2025-12-25",
        "2025-12-26"
      ],
      "half_days": [
        {
          "date": "2025-01-28",
          "close": "12:00"
        },
        {
          "date": "2025-12-24",
          "close": "12:00"
        },
        {
          "date": "2025-12-31",
          "close": "12:00"
        }
      ]
    },
    "2026": {
      "holidays": [
        "2026-01-01",
        "2026-02-17",
        "2026-02-18",
        "2026-02-19",
        "2026-04-03",
        "2026-04-06",
        "2026-04-07",
        "2026-05-01",
        "2026-05-25",
        "2026-06-19",
        "2026-07-01",
        "2026-10-01",
        "2026-10-19",
        "2026-12-25"
      ],
      "half_days": [
        {
          "date": "2026-02-16",
          "close": "12:00"
        },
        {
          "date": "2026-12-24",
          "close": "12:00"
        },
        {
          "date": "2026-12-31",
          "close": "12:00"
        }
      ]
    },
    "2027": {
      "holidays": [
        "2027-01-01",
        "2027-02-08",
        "2027-02-09",
        "2027-03-26",
        "2027-03-29",
        "2027-04-05",
        "2027-05-13",
        "2027-06-09",
        "2027-07-01",
        "2027-09-16",
        "2027-10-01",
        "2027-10-08",
        "2027-12-27"
      ],
      "half_days": [
        {
          "date": "2027-02-05",
          "close": "12:00"
        },
        {
          "date": "2027-12-24",
          "close": "12:00"
        },
        {
          "date": "2027-12-31",
          "close": "12:00"
        }
      ]
    }
  },
  "US": {
    "2024": {
      "holidays": [
        "2024-01-01",
        "2024-01-15",
        "2024-02-19",
        "2024-03-29",
        "2024-05-27",
        "2024-06-19",
        "2024-07-04",
        "2024-09-02",
        "2024-11-28",
        "2024-12-25"
      ],
      "half_days": [
        {
          "date": "2024-07-03",
          "close": "13:00"
        },
        {
          "date": "2024-11-29",
          "close": "13:00"
        },
        {
          "date": "2024-12-24",
          "close": "13:00"
        }
      ]
    },
    "2025": {
      "holidays": [
        "2025-01-01",
        "2025-01-09",
        "2025-01-20",
        "2025-02-17",
        "2025-04-18",
        "2025-05-26",
        "2025-06-19",
        "2025-07-04",
        "2025-09-01",
        "2025-11-27",
        "2025-12-25"
      ],
      "half_days": [
        {
          "date": "2025-07-03",
          "close": "13:00"
        },
        {
          "date": "2025-11-28",
          "close": "13:00"
        },
        {
          "date": "2025-12-24",
          "close": "13:00"
        }
      ]
    },
    "2026": {
      "holidays": [
        "2026-01-01",
        "2026-01-19",
        "2026-02-16",
        "2026-04-03",
        "2026-05-25",
        "2026-06-19",
        "2026-07-03",
        "2026-09-07",
        "2026-11-26",
        "2026-12-25"
      ],
      "half_days": [
        {
          "date": "2026-11-27",
          "close": "13:00"
        },
        {
          "date": "2026-12-24",
          "close": "13:00"
        }
      ]
    },
    "2027": {
      "holidays": [
        "2027-01-01",
        "2027-01-18",
        "2027-02-15",
        "2027-03-26",
        "2027-05-31",
        "2027-06-18",
        "2027-07-05",
        "2027-09-06",
        "2027-11-25",
        "2027-12-24"
      ],
      "half_days": [
        {
          "date": "2027-11-26",
          "close": "13:00"
        }
      ]
    }
  },
  "CN": {
    "2024": {
      "holidays": [
        "2024-01-01",
        "2024-02-09",
        "2024-02-12",
        "2024-02-13",
        "2024-02-14",
        "2024-02-15",
        "2024-02-16",
        "2024-04-04",
        "2024-04-05",
        "2024-05-01",
        "2024-05-02",
        "2024-05-03",
        "2024-06-10",
        "2024-09-16",
        "2024-09-17",
        "2024-10-01",
        "2024-10-02",
        "2024-10-03",
        "2024-10-04",
        "2024-10-07"
      ],
      "half_days": []
    },
    "2025": {
      "holidays": [
        "2025-01-01",
        "2025-01-28",
        "2025-01-29",
        "2025-01-30",
        "2025-01-31",
        "2025-02-03",
        "2025-02-04",
        "2025-04-04",
        "2025-05-01",
        "2025-05-02",
        "2025-05-05",
        "2025-06-02",
        "2025-10-01",
        "2025-10-02",
        "2025-10-03",
        "2025-10-06",
        "2025-10-07",
        "2025-10-08"
      ],
      "half_days": []
    },
    "2026": {
      "holidays": [
        "2026-01-01",
        "2026-01-02",
        "2026-02-16",
        "2026-02-17",
        "2026-02-18",
        "2026-02-19",
        "2026-02-20",
        "2026-02-23",
        "2026-04-06",
        "2026-05-01",
        "2026-05-04",
        "2026-05-05",
        "2026-06-19",
        "2026-09-25",
        "2026-10-01",
        "2026-10-02",
        "2026-10-05",
        "2026-10-06",
        "2026-10-07"
      ],
      "half_days": []
    },
    "2027": {
      "holidays": [
        "2027-01-01",
        "2027-02-05",
        "2027-02-08",
        "2027-02-09",
        "2027-02-10",
        "2027-02-11",
        "2027-02-12",
        "2027-04-05",
        "2027-05-03",
        "2027-05-04",
        "2027-05-05",
        "2027-06-09",
        "2027-09-15",
        "2027-10-01",
        "2027-10-04",
        "2027-10-05",
        "2027-10-06",
        "2027-10-07"
      ],
      "half_days": []
    }
  },
  "SG": {
    "2024": {
      "holidays": [
        "2024-01-01",
        "2024-02-12",
        "2024-03-29",
        "2024-04-10",
        "2024-05-01",
        "2024-05-22",
        "2024-06-17",
        "2024-08-09",
        "2024-10-31",
        "2024-12-25"
      ],
      "half_days": [
        {
          "date": "2024-02-09",
          "close": "12:00"
        },
        {
          "date": "2024-12-24",
          "close": "12:00"
        },
        {
          "date": "2024-12-31",
          "close": "12:00"
        }
      ]
    },
    "2025": {
      "holidays": [
        "2025-01-01",
        "2025-01-29",
        "2025-01-30",
        "2025-03-31",
        "2025-04-18",
        "2025-05-01",
        "2025-05-12",
        "2025-10-20",
        "2025-12-25"
      ],
      "half_days": [
        {
          "date": "2025-01-28",
          "close": "12:00"
        },
        {
          "date": "2025-12-24",
          "close": "12:00"
        },
        {
          "date": "2025-12-31",
          "close": "12:00"
        }
      ]
    },
    "2026": {
      "holidays": [
        "2026-01-01",
        "2026-02-17",
        "2026-02-18",
        "2026-04-03",
        "2026-05-01",
        "2026-05-27",
        "2026-06-01",
        "2026-08-10",
        "2026-11-09",
        "2026-12-25"
      ],
      "half_days": [
        {
          "date": "2026-02-16",
          "close": "12:00"
        },
        {
          "date": "2026-12-24",
          "close": "12:00"
        },
        {
          "date": "2026-12-31",
          "close": "12:00"
        }
      ]
    },
    "2027": {
      "holidays": [
        "2027-01-01",
        "2027-02-08",
        "2027-03-10",
        "2027-03-26",
        "2027-05-17",
        "2027-05-20",
        "2027-08-09",
        "2027-10-28"
      ],
      "half_days": [
        {
          "date": "2027-02-05",
          "close": "12:00"
        },
        {
          "date": "2027-12-24",
          "close": "12:00"
        },
        {
          "date": "2027-12-31",
          "close": "12:00"
        }
      ]
    }
  },
  "sources": [
    {
      "id": "S1",
      "covers": "HK/US/CN/SG 2024-2026 (HK/US also 2027) holidays + HK/US early closes; expected sessions",
      "kind": "repo",
      "ref": "gerrymanoim/exchange_calendars@5308ce20578422fce74b10b43cc7d913a17e7a88 : exchange_calendars/exchange_calendar_{xhkg,xnys,xshg,xses}.py, exchange_calendars/lunisolar_holidays.py, tests/resources/{xhkg,xnys,xshg,xses}.csv",
      "note": "Run locally (pandas 1.5.3) for 2024-2027; test CSVs: xhkg to 2025-09-05, xshg/xses to 2026-12-31, xnys only to 2023-01-13. XSHG/XSES refuse 2027 (not recorded). XSES models no half days and no mid-day break."
    },
    {
      "id": "S2",
      "covers": "independent cross-check HK/CN/US/SG holidays; SGX half-day rule",
      "kind": "repo",
      "ref": "vacanza/holidays@c382fdec456ce76e03b841ab809d47e46be610a2 : holidays/financial/{hong_kong_stock_exchange,shanghai_stock_exchange,ny_stock_exchange}.py, holidays/countries/{singapore,china}.py; plus holidays/financial/singapore_exchange.py@1ecbe67931cf01a75183ac296a959eebf83b62fc (PR #3719, merged 2026-07-25: SGX half days on Christmas Eve, New Year's Eve, Chinese New Year's Eve when weekdays, close 12:00 SGT; cites web.archive.org/web/20260725102849/https://www.sgx.com/stock-exchange/trading)"
    },
    {
      "id": "S3",
      "covers": "independent cross-check HK/CN/US",
      "kind": "repo",
      "ref": "rsheftel/pandas_market_calendars@966ffb32b988e5c64835fe184996c3826a8963b2 : pandas_market_calendars/calendars/{hkex,sse,nyse}.py, pandas_market_calendars/holidays/cn.py"
    },
    {
      "id": "S4",
      "covers": "LongPort minute-bar session model incl. half-day sessions (HK 09:30-12:00 +10min; SG 09:00-12:15; US 09:30-13:00); trade-days API returns half days in a separate list",
      "kind": "repo",
      "ref": "longportapp/openapi@72e9be585d2724358ddaf7d6afbb64bb9e01205d : rust/crates/candlesticks/src/markets.rs ; https://open.longportapp.com/zh-CN/docs/market/trade-days"
    },
    {
      "id": "S5",
      "covers": "US 2024 holidays/early closes",
      "kind": "url",
      "ref": "https://mondovisione.com/media-and-resources/news/nyse-group-announces-2022-2023-and-2024-holiday-and-early-closings-calendar/ (NYSE Group release 2021-12-27)"
    },
    {
      "id": "S6",
      "covers": "US 2025-2027 holidays/early closes",
      "kind": "url",
      "ref": "https://mondovisione.com/media-and-resources/news/nyse-group-announces-2025-2026-and-2027-holiday-and-early-closings-calendar/ (NYSE Group release 2024-11-08; original ir.theice.com)"
    },
    {
      "id": "S7",
      "covers": "US 2026-2028 holidays/early closes (2027: no Dec 23 early close; 2028-01-01 Sat not observed, so 2027-12-31 is a full day)",
      "kind": "url",
      "ref": "https://mondovisione.com/media-and-resources/news/nyse-group-announces-2026-2027-and-2028-holiday-and-early-closings-calendar-20251223/ (NYSE Group release 2025-12-23)"
    },
    {
      "id": "S8",
      "covers": "US 2025-01-09 closure (National Day of Mourning, Carter)",
      "kind": "url",
      "ref": "https://www.ibtimes.com/nyse-nasdaq-markets-closed-jan-9-day-mourning-jimmy-carter-3757298 ; https://ca.news.yahoo.com/us-stock-market-close-january-235347928.html (both 2024-12-30)"
    },
    {
      "id": "S9",
      "covers": "HK 2026 general holidays (gazette); 2024 gazette list copy",
      "kind": "url",
      "ref": "http://sc.isd.gov.hk/TuniS//www.info.gov.hk/gia/general/202505/16/P2025051300354.htm (HKSAR Gov press release 2025-05-16); 2024: https://hkbbs.cn/archiver/tid-16.html (copy of the gazetted 2024 list); 2025 list as published by brokers e.g. https://gate.ac/tr/post/status/17520303"
    },
    {
      "id": "S10",
      "covers": "HK 2027 general holidays (gazette) - seen only via secondary copies",
      "kind": "url",
      "ref": "https://www.gov.hk/en/about/abouthk/holiday/2027.htm (cited by KCNyu/clawock); summary https://a2znews.uk/article/c2/28468"
    },
    {
      "id": "S11",
      "covers": "HKEX 2027 holiday/half-day circular (half days 2027-02-05, 2027-12-24, 2027-12-31) - seen only as quoted",
      "kind": "url",
      "ref": "https://www.hkex.com.hk/-/media/HKEX-Market/Services/Circulars-and-Notices/Participant-and-Members-Circulars/SEHK/2026/MO_DT_133_26_e1.pdf as quoted in https://github.com/KCNyu/clawock/issues/141 (2026-07-28)"
    },
    {
      "id": "S12",
      "covers": "HKEX half-day rule (no Extended Morning / Afternoon session on eves of Christmas, New Year, Lunar New Year); half-day CAS 12:00 to random 12:08-12:10",
      "kind": "url",
      "ref": "HKEX Rule 501 https://www.hkex.com.hk/-/media/hkex-market/services/trading-hours-and-severe-weather-arrangements/severe-weather-arrangements/trading/chap-5_eng (as cited by clawock); broker copies https://www.pcsfg.com/pcs/customer-services/trading-hours , https://www2.gtjai.com/en/product_service_hk , https://usmart.hk/en/help-centre/71/detail/10159"
    },
    {
      "id": "S13",
      "covers": "HK 2024-09-06 full-day cancellation (Typhoon Signal No. 8)",
      "kind": "url",
      "ref": "https://mondovisione.com/media-and-resources/news/hkex-no-trading-today-in-securities-and-derivatives-markets-due-to-issuance-of-9/ (HKEX 2024-09-06)"
    },
    {
      "id": "S14",
      "covers": "HKEX Severe Weather Trading from 2024-09-23; first SWT day 2024-11-14",
      "kind": "url",
      "ref": "https://www.workerdesks.com/hong-kong-exchanges-and-clearing-hkex-announces-implementation-of-severe-weather-trading (HKEX announcement 2024-09-16, effective 2024-09-23); https://finews.asia/finance/41547-hkex-typhoon-hong-kong ; http://mondovisione.com/media-and-resources/news/hkex-completes-first-severe-weather-trading-day (2024-11-14)"
    },
    {
      "id": "S15",
      "covers": "CN 2024 SSE/SZSE closures",
      "kind": "url",
      "ref": "https://meimuju.com/news/10252.html and https://www.71396.com/a/15-17037306671808410.html (text of SSE notice dated 2023-12-26); https://www.gov.cn/zhengce/content/202310/content_6911527.htm (cited in S1)"
    },
    {
      "id": "S16",
      "covers": "CN 2025 SSE/SZSE/BSE closures",
      "kind": "url",
      "ref": "https://bg3.co/a/hu-shen-bei-jiao-yi-suo-gong-bu-2025nian-bu-fen-jie-jia-ri-xiu-shi-an-pai.html (exchanges' notice 2024-12-23)"
    },
    {
      "id": "S17",
      "covers": "CN 2026 SSE/SZSE/BSE closures",
      "kind": "url",
      "ref": "https://www.sse.com.cn/disclosure/announcement/general/c/c_20251222_10802507.shtml (cited in S1); text copies https://www.etnet.com.hk/www/tc/stocks/ah_news_detail.php?newsid=ETN351222775 , https://www.srwlw.com/article/101784.html (2025-12-22)"
    },
    {
      "id": "S18",
      "covers": "SGX half-day session times (09:00-12:00 trading; pre-close 12:00-12:04/05; non-cancel to 12:06; trade-at-close 12:06-12:16)",
      "kind": "url",
      "ref": "https://itigertrades.com/help/detail/37983649 ; https://longbridge.com/sg/support/topics/SGmarket/SGXTRADINGRULE ; https://global.usmartsecurities.com/help-key/tradinghours1 ; https://www.poems.com.sg/faq/trading/general/what-is-pre-open-and-pre-close-routines/ ; https://rulebook.sgx.com/node/3766 ; https://www.ig.com/ae/news-and-trade-ideas/indices-news/singapore-exchanges-trade-at-close-enhancement-begins-on-june-3-190603"
    },
    {
      "id": "S19",
      "covers": "SGX half days actually held (2024-02-09, 2025-01-28, 2025-12-24, 2025-12-31; 2020-12-31 closes 12pm)",
      "kind": "url",
      "ref": "https://www.businesstimes.com.sg/companies-markets/singapore-stocks-end-lower-chinese-new-years-eve-sti-down-02 ; https://www.straitstimes.com/business/companies-markets/singapore-shares-rise-before-chinese-new-year-break-sti-up-0-1 ; https://www.businesstimes.com.sg/companies-markets/singapore-shares-slip-christmas-break-sti-down-0-1 ; https://www.straitstimes.com/business/companies-markets/singapore-shares-slip-on-final-trading-day-of-the-year-sti-down-0-2 ; https://www.businesstimes.com.sg/stocks/singapore-stocks-fall-at-thursdays-open-sti-down-04-0"
    },
    {
      "id": "S20",
      "covers": "SG 2027 public holidays (MOM) - seen only via secondary copies",
      "kind": "url",
      "ref": "https://www.mom.gov.sg/newsroom/press-releases/2026/0618-public-holidays-for-2027 (cited in a sgborder.live source file, find_string id 70325205181) ; data.gov.sg collection 691 (cited in a Supabase SQL file, id 58019694571)"
    },
    {
      "id": "S21",
      "covers": "SG 2024-2026 public holidays; SGX follows MOM list",
      "kind": "url",
      "ref": "https://www.mom.gov.sg/employment-practices/public-holidays and https://www.sgx.com/securities/trading (both cited in S1 xses docstring); list in S1 exchange_calendar_xses.py"
    }
  ],
  "projected": [
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-01-01",
      "kind": "holiday",
      "status": "projection",
      "confidence": "high",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-02-05",
      "kind": "holiday",
      "status": "projection",
      "confidence": "high",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-02-08",
      "kind": "holiday",
      "status": "projection",
      "confidence": "high",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-02-09",
      "kind": "holiday",
      "status": "projection",
      "confidence": "high",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-02-10",
      "kind": "holiday",
      "status": "projection",
      "confidence": "high",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-02-11",
      "kind": "holiday",
      "status": "projection",
      "confidence": "medium",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-02-12",
      "kind": "holiday",
      "status": "projection",
      "confidence": "medium-low",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-04-05",
      "kind": "holiday",
      "status": "projection",
      "confidence": "high",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-05-03",
      "kind": "holiday",
      "status": "projection",
      "confidence": "high",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-05-04",
      "kind": "holiday",
      "status": "projection",
      "confidence": "high",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-05-05",
      "kind": "holiday",
      "status": "projection",
      "confidence": "medium-high",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-06-09",
      "kind": "holiday",
      "status": "projection",
      "confidence": "high",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-09-15",
      "kind": "holiday",
      "status": "projection",
      "confidence": "high",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-10-01",
      "kind": "holiday",
      "status": "projection",
      "confidence": "high",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-10-04",
      "kind": "holiday",
      "status": "projection",
      "confidence": "high",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-10-05",
      "kind": "holiday",
      "status": "projection",
      "confidence": "high",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-10-06",
      "kind": "holiday",
      "status": "projection",
      "confidence": "medium-high",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "CN",
      "year": "2027",
      "date": "2027-10-07",
      "kind": "holiday",
      "status": "projection",
      "confidence": "medium-high",
      "basis": "No State Council 2027 arrangement / SSE 2027 notice found (they usually appear Nov/Dec 2026). Derived from the 2024-revised national holiday rules (statutory days + weekday substitution for statutory days on weekends) plus bridge-day patterns (2021 has the same weekday layout as 2027)."
    },
    {
      "market": "SG",
      "year": "2026",
      "date": "2026-02-16",
      "kind": "half_day",
      "close": "12:00",
      "status": "rule-derived",
      "confidence": "high",
      "basis": "SGX practice: half day on eves of Christmas, New Year and Chinese New Year when on a weekday (S2 singapore_exchange.py, S19 evidence for 2024-2025); no SGX-published list for this year seen."
    },
    {
      "market": "SG",
      "year": "2026",
      "date": "2026-12-24",
      "kind": "half_day",
      "close": "12:00",
      "status": "rule-derived",
      "confidence": "high",
      "basis": "SGX practice: half day on eves of Christmas, New Year and Chinese New Year when on a weekday (S2 singapore_exchange.py, S19 evidence for 2024-2025); no SGX-published list for this year seen."
    },
    {
      "market": "SG",
      "year": "2026",
      "date": "2026-12-31",
      "kind": "half_day",
      "close": "12:00",
      "status": "rule-derived",
      "confidence": "high",
      "basis": "SGX practice: half day on eves of Christmas, New Year and Chinese New Year when on a weekday (S2 singapore_exchange.py, S19 evidence for 2024-2025); no SGX-published list for this year seen."
    },
    {
      "market": "SG",
      "year": "2027",
      "date": "2027-02-05",
      "kind": "half_day",
      "close": "12:00",
      "status": "rule-derived",
      "confidence": "high",
      "basis": "SGX practice: half day on eves of Christmas, New Year and Chinese New Year when on a weekday (S2 singapore_exchange.py, S19 evidence for 2024-2025); no SGX-published list for this year seen."
    },
    {
      "market": "SG",
      "year": "2027",
      "date": "2027-12-24",
      "kind": "half_day",
      "close": "12:00",
      "status": "rule-derived",
      "confidence": "high",
      "basis": "SGX practice: half day on eves of Christmas, New Year and Chinese New Year when on a weekday (S2 singapore_exchange.py, S19 evidence for 2024-2025); no SGX-published list for this year seen."
    },
    {
      "market": "SG",
      "year": "2027",
      "date": "2027-12-31",
      "kind": "half_day",
      "close": "12:00",
      "status": "rule-derived",
      "confidence": "high",
      "basis": "SGX practice: half day on eves of Christmas, New Year and Chinese New Year when on a weekday (S2 singapore_exchange.py, S19 evidence for 2024-2025); no SGX-published list for this year seen."
    },
    {
      "market": "HK",
      "year": "2027",
      "date": "2027-01-01",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "HK 2027 general holidays gazetted (S10) and HKEX 2027 circular (S11) seen only as quoted; identical to rule-based output of S1 and S2."
    },
    {
      "market": "HK",
      "year": "2027",
      "date": "2027-02-08",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "HK 2027 general holidays gazetted (S10) and HKEX 2027 circular (S11) seen only as quoted; identical to rule-based output of S1 and S2."
    },
    {
      "market": "HK",
      "year": "2027",
      "date": "2027-02-09",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "HK 2027 general holidays gazetted (S10) and HKEX 2027 circular (S11) seen only as quoted; identical to rule-based output of S1 and S2."
    },
    {
      "market": "HK",
      "year": "2027",
      "date": "2027-03-26",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "HK 2027 general holidays gazetted (S10) and HKEX 2027 circular (S11) seen only as quoted; identical to rule-based output of S1 and S2."
    },
    {
      "market": "HK",
      "year": "2027",
      "date": "2027-03-29",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "HK 2027 general holidays gazetted (S10) and HKEX 2027 circular (S11) seen only as quoted; identical to rule-based output of S1 and S2."
    },
    {
      "market": "HK",
      "year": "2027",
      "date": "2027-04-05",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "HK 2027 general holidays gazetted (S10) and HKEX 2027 circular (S11) seen only as quoted; identical to rule-based output of S1 and S2."
    },
    {
      "market": "HK",
      "year": "2027",
      "date": "2027-05-13",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "HK 2027 general holidays gazetted (S10) and HKEX 2027 circular (S11) seen only as quoted; identical to rule-based output of S1 and S2."
    },
    {
      "market": "HK",
      "year": "2027",
      "date": "2027-06-09",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "HK 2027 general holidays gazetted (S10) and HKEX 2027 circular (S11) seen only as quoted; identical to rule-based output of S1 and S2."
    },
    {
      "market": "HK",
      "year": "2027",
      "date": "2027-07-01",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "HK 2027 general holidays gazetted (S10) and HKEX 2027 circular (S11) seen only as quoted; identical to rule-based output of S1 and S2."
    },
    {
      "market": "HK",
      "year": "2027",
      "date": "2027-09-16",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "HK 2027 general holidays gazetted (S10) and HKEX 2027 circular (S11) seen only as quoted; identical to rule-based output of S1 and S2."
    },
    {
      "market": "HK",
      "year": "2027",
      "date": "2027-10-01",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "HK 2027 general holidays gazetted (S10) and HKEX 2027 circular (S11) seen only as quoted; identical to rule-based output of S1 and S2."
    },
    {
      "market": "HK",
      "year": "2027",
      "date": "2027-10-08",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "HK 2027 general holidays gazetted (S10) and HKEX 2027 circular (S11) seen only as quoted; identical to rule-based output of S1 and S2."
    },
    {
      "market": "HK",
      "year": "2027",
      "date": "2027-12-27",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "HK 2027 general holidays gazetted (S10) and HKEX 2027 circular (S11) seen only as quoted; identical to rule-based output of S1 and S2."
    },
    {
      "market": "HK",
      "year": "2027",
      "date": "2027-02-05",
      "kind": "half_day",
      "close": "12:00",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "HKEX circular MO/DT/133/26 as quoted in KCNyu/clawock issue #141 (S11); matches HKEX Rule 501 (S12)."
    },
    {
      "market": "HK",
      "year": "2027",
      "date": "2027-12-24",
      "kind": "half_day",
      "close": "12:00",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "HKEX circular MO/DT/133/26 as quoted in KCNyu/clawock issue #141 (S11); matches HKEX Rule 501 (S12)."
    },
    {
      "market": "HK",
      "year": "2027",
      "date": "2027-12-31",
      "kind": "half_day",
      "close": "12:00",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "HKEX circular MO/DT/133/26 as quoted in KCNyu/clawock issue #141 (S11); matches HKEX Rule 501 (S12)."
    },
    {
      "market": "SG",
      "year": "2027",
      "date": "2027-01-01",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "MOM 2027 public holidays press release 2026-06-18 (S20) seen via secondary copies; identical to S2 holidays/countries/singapore.py. Hari Raya dates can still be revised by MUIS/MOM."
    },
    {
      "market": "SG",
      "year": "2027",
      "date": "2027-02-08",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "MOM 2027 public holidays press release 2026-06-18 (S20) seen via secondary copies; identical to S2 holidays/countries/singapore.py. Hari Raya dates can still be revised by MUIS/MOM."
    },
    {
      "market": "SG",
      "year": "2027",
      "date": "2027-03-10",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "MOM 2027 public holidays press release 2026-06-18 (S20) seen via secondary copies; identical to S2 holidays/countries/singapore.py. Hari Raya dates can still be revised by MUIS/MOM."
    },
    {
      "market": "SG",
      "year": "2027",
      "date": "2027-03-26",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "MOM 2027 public holidays press release 2026-06-18 (S20) seen via secondary copies; identical to S2 holidays/countries/singapore.py. Hari Raya dates can still be revised by MUIS/MOM."
    },
    {
      "market": "SG",
      "year": "2027",
      "date": "2027-05-17",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "MOM 2027 public holidays press release 2026-06-18 (S20) seen via secondary copies; identical to S2 holidays/countries/singapore.py. Hari Raya dates can still be revised by MUIS/MOM."
    },
    {
      "market": "SG",
      "year": "2027",
      "date": "2027-05-20",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "MOM 2027 public holidays press release 2026-06-18 (S20) seen via secondary copies; identical to S2 holidays/countries/singapore.py. Hari Raya dates can still be revised by MUIS/MOM."
    },
    {
      "market": "SG",
      "year": "2027",
      "date": "2027-08-09",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "MOM 2027 public holidays press release 2026-06-18 (S20) seen via secondary copies; identical to S2 holidays/countries/singapore.py. Hari Raya dates can still be revised by MUIS/MOM."
    },
    {
      "market": "SG",
      "year": "2027",
      "date": "2027-10-28",
      "kind": "holiday",
      "status": "announced-seen-via-secondary-source",
      "confidence": "high",
      "basis": "MOM 2027 public holidays press release 2026-06-18 (S20) seen via secondary copies; identical to S2 holidays/countries/singapore.py. Hari Raya dates can still be revised by MUIS/MOM."
    }
  ]
};
