import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { marketPauseNotice } from './market-pause.js';

describe('marketPauseNotice', () => {
  it('names the next trading day\'s open once a day is complete, across weekends and holidays', () => {
    // Friday 2024-06-14 → Monday 2024-06-17.
    assert.equal(marketPauseNotice('HK', '2024-06-14', 331), 'HK market closed; the next session opens 2024-06-17 09:30 (+08:00)');
    // HK is closed on Monday 2024-07-01 (SAR Establishment Day): Friday 2024-06-28 → Tuesday 2024-07-02.
    assert.equal(marketPauseNotice('HK', '2024-06-28', 331), 'HK market closed; the next session opens 2024-07-02 09:30 (+08:00)');
    // US: New York time with daylight saving (EDT, -04:00) in June.
    assert.equal(marketPauseNotice('US', '2024-06-14', 390), 'US market closed; the next session opens 2024-06-17 09:30 (-04:00)');
  });

  it('names the resumption after a lunch break', () => {
    // HK's morning session has 150 lines (09:30-11:59); the afternoon starts at 13:00.
    assert.equal(
      marketPauseNotice('HK', '2024-06-14', 150),
      'HK market on its break after the session ending 12:00; trading resumes 2024-06-14 13:00 (+08:00)',
    );
    // CN: 120 morning lines (09:30-11:29), afternoon from 13:00.
    assert.equal(
      marketPauseNotice('CN', '2023-02-01', 120),
      'CN market on its break after the session ending 11:30; trading resumes 2023-02-01 13:00 (+08:00)',
    );
  });

  it('says nothing while the market trades', () => {
    assert.equal(marketPauseNotice('HK', '2024-06-14', 149), undefined);
    assert.equal(marketPauseNotice('HK', '2024-06-14', 151), undefined);
    assert.equal(marketPauseNotice('US', '2024-06-14', 200), undefined);
    assert.equal(marketPauseNotice('HK', '2024-06-14', 0), undefined);
  });
});
