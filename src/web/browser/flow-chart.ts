import {
  BaselineSeries,
  ColorType,
  createChart,
  CrosshairMode,
  LineSeries,
  LineStyle,
  type IChartApi,
  type ISeriesApi,
  type LineData,
  type Time,
  type UTCTimestamp,
  type WhitespaceData,
} from 'lightweight-charts';
import type { Intraday, Line as IntradayLine } from '../../contract/schemas.js';
import { amountValue, compactAmount, exchangeAxisSeconds } from './amounts.js';

export const CHART_COLORS = {
  inflow: '#12a37f',
  outflow: '#e5484d',
  text: '#5b6473',
  grid: '#eef1f5',
  border: '#e3e7ee',
} as const;

type Point = LineData<Time> | WhitespaceData<Time>;

/** Room above and below each pane's lines (fractions of its height) for the value labels. */
const PANE_MARGINS = { top: 0.12, bottom: 0.12 } as const;

/**
 * The intraday chart: the cumulative net inflow as a baseline around zero (green above, red
 * below), and below it a second pane with the cumulative inflow and outflow. The time axis is
 * the exchange's local time; minutes still to come are blank, so the axis spans the whole day.
 */
export class FlowChart {
  private readonly chart: IChartApi;
  private readonly net: ISeriesApi<'Baseline'>;
  private readonly inflow: ISeriesApi<'Line'>;
  private readonly outflow: ISeriesApi<'Line'>;
  private lines: IntradayLine[] = [];
  private futureMinutes: UTCTimestamp[] = [];
  private dayKey = '';

  constructor(container: HTMLElement) {
    this.chart = createChart(container, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: '#ffffff' },
        textColor: CHART_COLORS.text,
        fontFamily: 'Inter, ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
        fontSize: 11,
        panes: { separatorColor: CHART_COLORS.border, separatorHoverColor: 'rgba(18, 163, 127, 0.15)', enableResize: true },
        // The page footer links to TradingView instead (the library's attribution requirement).
        attributionLogo: false,
      },
      grid: { vertLines: { color: CHART_COLORS.grid }, horzLines: { color: CHART_COLORS.grid } },
      rightPriceScale: { borderColor: CHART_COLORS.border },
      timeScale: { borderColor: CHART_COLORS.border, timeVisible: true, secondsVisible: false, fixLeftEdge: true, rightOffset: 0 },
      crosshair: { mode: CrosshairMode.Magnet },
      localization: { priceFormatter: compactAmount },
    });
    const priceFormat = { type: 'custom' as const, formatter: compactAmount, minMove: 0.001 };
    this.net = this.chart.addSeries(BaselineSeries, {
      baseValue: { type: 'price', price: 0 },
      topLineColor: CHART_COLORS.inflow,
      topFillColor1: 'rgba(18, 163, 127, 0.28)',
      topFillColor2: 'rgba(18, 163, 127, 0.02)',
      bottomLineColor: CHART_COLORS.outflow,
      bottomFillColor1: 'rgba(229, 72, 77, 0.02)',
      bottomFillColor2: 'rgba(229, 72, 77, 0.28)',
      lineWidth: 2,
      priceFormat,
    });
    this.inflow = this.chart.addSeries(LineSeries, { color: CHART_COLORS.inflow, lineWidth: 2, priceFormat }, 1);
    this.outflow = this.chart.addSeries(LineSeries, { color: CHART_COLORS.outflow, lineWidth: 2, lineStyle: LineStyle.Solid, priceFormat }, 1);
    // The series carry no titles: a title is drawn beside its value label inside the pane, where
    // the titles of two close values, or one at a pane's edge, printed over each other and over the
    // axis. The legend above the chart names the series by colour; the labels show values only,
    // and the margins keep a pane's highest and lowest label off its edges.
    for (const pane of [0, 1]) this.chart.priceScale('right', pane).applyOptions({ scaleMargins: PANE_MARGINS, alignLabels: true });
    this.chart.panes()[0]?.setStretchFactor(0.64);
    this.chart.panes()[1]?.setStretchFactor(0.36);
  }

  /** Shows a whole day (a snapshot). */
  setDay(day: Intraday): void {
    this.lines = [...day.lines];
    this.futureMinutes = remainingMinutes(day);
    const key = `${day.symbol} ${day.date}`;
    this.render();
    // Show the whole day from its first minute (lines so far, then the minutes to come).
    if (key !== this.dayKey) this.chart.timeScale().setVisibleLogicalRange({ from: 0, to: this.lines.length + this.futureMinutes.length + 6 });
    this.dayKey = key;
  }

  /** Replaces the lines from index `from` on (a live update). */
  update(from: number, lines: readonly IntradayLine[]): void {
    this.lines = [...this.lines.slice(0, from), ...lines];
    if (this.futureMinutes.length > 0 && lines.length > 0) {
      const last = axisTime(lines[lines.length - 1]!);
      this.futureMinutes = this.futureMinutes.filter((minute) => minute > last);
    }
    this.render();
  }

  private render(): void {
    const blank: Point[] = this.futureMinutes.map((time) => ({ time }));
    const series = (value: (line: IntradayLine) => number): Point[] => [
      ...this.lines.map((line) => ({ time: axisTime(line), value: value(line) })),
      ...blank,
    ];
    this.net.setData(series((line) => amountValue(line.inflow)));
    this.inflow.setData(series((line) => amountValue(line.in?.total)));
    this.outflow.setData(series((line) => amountValue(line.out?.total)));
  }
}

function axisTime(line: IntradayLine): UTCTimestamp {
  return exchangeAxisSeconds(line.timestamp, line.time) as UTCTimestamp;
}

/**
 * Axis times of the minutes the day has yet to produce, from its sessions (`HH:MM` local), so
 * the chart spans the full day from the first minute.
 */
export function remainingMinutes(day: Intraday): UTCTimestamp[] {
  if (!day.sessions || day.totalLines === undefined || day.lines.length >= day.totalLines) return [];
  const dateSeconds = Date.parse(`${day.date}T00:00:00Z`) / 1000;
  const all: number[] = [];
  for (const session of day.sessions) {
    const start = minutesOf(session.start);
    const end = minutesOf(session.end);
    for (let minute = start; minute < end; minute++) all.push(dateSeconds + minute * 60);
  }
  // A closing auction adds one line stamped at the last session end.
  const lastEnd = day.sessions[day.sessions.length - 1];
  if (lastEnd && all.length < day.totalLines) all.push(dateSeconds + minutesOf(lastEnd.end) * 60);
  const last = day.lines[day.lines.length - 1];
  const shown = last ? axisTime(last) : -Infinity;
  return all.filter((time) => time > shown).map((time) => time as UTCTimestamp);
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}
