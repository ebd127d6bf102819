export * from './time-zone.js';
export * from './session-rules.js';
export * from './day-schedule.js';
export * from './trade-session.js';
export * from './trading-calendar.js';
export { CALENDAR_DATA } from './calendar-data.js';
export type { CalendarData, CalendarYear, CalendarHalfDay, CalendarSource, ProjectedDate } from './calendar-data.js';
