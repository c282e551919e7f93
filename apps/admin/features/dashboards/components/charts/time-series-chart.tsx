'use client';

// A line (or area) chart of one or more series over time, in SVG: y axis with round ticks, time labels that do
// not overlap, and a tooltip that follows the pointer or the arrow keys (focus the chart, then ←/→, Home/End).
import { useId, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { labelEvery, linear, niceTicks } from './scale';
import { useWidth } from './use-width';

export interface ChartSeries {
  id: string;
  label: string;
  color: string;
  /** One value per time; null where there is nothing to show (a gap in the line). */
  values: (number | null)[];
}

interface TimeSeriesChartProps {
  label: string;
  times: string[];
  series: ChartSeries[];
  formatValue(value: number): string;
  formatTick(iso: string): string;
  formatTime(iso: string): string;
  /** Fill under the first series. */
  area?: boolean;
  /** The y axis reaches at least this far (e.g. 1 % for an error rate near zero). */
  minYMax?: number;
  height?: number;
  /** Shown instead of an empty plot when every value is zero or null. */
  emptyText?: string;
}

const MARGIN = { top: 12, right: 16, bottom: 26, left: 56 };

export function TimeSeriesChart(props: TimeSeriesChartProps) {
  const { label, times, series, formatValue, formatTick, formatTime, area = false, minYMax = 0, height = 200, emptyText } = props;
  const [ref, width] = useWidth<HTMLDivElement>();
  const [hover, setHover] = useState<number | null>(null);
  const gradientId = useId();

  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const max = Math.max(minYMax, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const ticks = niceTicks(max);
  const yMax = ticks[ticks.length - 1];
  const x = linear([0, Math.max(1, times.length - 1)], [MARGIN.left, MARGIN.left + plotWidth]);
  const y = linear([0, yMax], [MARGIN.top + plotHeight, MARGIN.top]);
  const every = labelEvery(times.length, plotWidth, 72);
  const empty = series.every((s) => s.values.every((v) => !v));

  function linePath(values: (number | null)[]): string {
    let path = '';
    let pen = false;
    values.forEach((value, index) => {
      if (value === null) {
        pen = false;
        return;
      }
      path += `${pen ? 'L' : 'M'}${x(index).toFixed(1)},${y(value).toFixed(1)}`;
      pen = true;
    });
    return path;
  }

  function areaPath(values: (number | null)[]): string {
    const base = y(0).toFixed(1);
    const points = values.map((value, index) => `${x(index).toFixed(1)},${y(value ?? 0).toFixed(1)}`);
    if (points.length === 0) return '';
    return `M${x(0).toFixed(1)},${base}L${points.join('L')}L${x(values.length - 1).toFixed(1)},${base}Z`;
  }

  function onPointerMove(event: PointerEvent<SVGRectElement>) {
    const box = event.currentTarget.getBoundingClientRect();
    const ratio = (event.clientX - box.left) / box.width;
    setHover(Math.max(0, Math.min(times.length - 1, Math.round(ratio * (times.length - 1)))));
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const last = times.length - 1;
    const current = hover ?? last;
    const next =
      event.key === 'ArrowLeft' ? current - 1 : event.key === 'ArrowRight' ? current + 1 : event.key === 'Home' ? 0 : event.key === 'End' ? last : null;
    if (event.key === 'Escape') setHover(null);
    if (next === null) return;
    event.preventDefault();
    setHover(Math.max(0, Math.min(last, next)));
  }

  const tooltipLeft = hover === null ? 0 : Math.min(Math.max(x(hover) + 12, MARGIN.left), width - 180);

  return (
    <div className="chart">
      {series.length > 1 && (
        <ul className="chart-legend" aria-hidden="true">
          {series.map((s) => (
            <li key={s.id}>
              <span className="chart-swatch" style={{ background: s.color }} />
              {s.label}
            </li>
          ))}
        </ul>
      )}
      <div
        ref={ref}
        className="chart-frame"
        role="group"
        aria-label={label}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onFocus={() => setHover((h) => h ?? times.length - 1)}
        onBlur={() => setHover(null)}
      >
        <svg width={width} height={height} aria-hidden="true" className="chart-svg">
          {area && (
            <defs>
              <linearGradient id={gradientId} x1="0" x2="0" y1="0" y2="1">
                <stop offset="0%" stopColor={series[0]?.color} stopOpacity={0.28} />
                <stop offset="100%" stopColor={series[0]?.color} stopOpacity={0.03} />
              </linearGradient>
            </defs>
          )}
          {ticks.map((tick) => (
            <g key={tick}>
              <line x1={MARGIN.left} x2={MARGIN.left + plotWidth} y1={y(tick)} y2={y(tick)} className="chart-grid" />
              <text x={MARGIN.left - 8} y={y(tick)} className="chart-tick" textAnchor="end" dominantBaseline="middle">
                {formatValue(tick)}
              </text>
            </g>
          ))}
          {times.map((time, index) =>
            index % every === 0 ? (
              <text key={time} x={x(index)} y={height - 8} className="chart-tick" textAnchor="middle">
                {formatTick(time)}
              </text>
            ) : null,
          )}
          <line x1={MARGIN.left} x2={MARGIN.left + plotWidth} y1={y(0)} y2={y(0)} className="chart-axis" />
          {area && series[0] && <path d={areaPath(series[0].values)} fill={`url(#${gradientId})`} />}
          {series.map((s) => (
            <g key={s.id}>
              <path d={linePath(s.values)} fill="none" stroke={s.color} strokeWidth={1.75} strokeLinejoin="round" />
              {/* A value with no neighbour draws no line: show it as a dot. */}
              {s.values.map((value, index) =>
                value !== null && (s.values[index - 1] ?? null) === null && (s.values[index + 1] ?? null) === null ? (
                  <circle key={index} cx={x(index)} cy={y(value)} r={2.5} fill={s.color} />
                ) : null,
              )}
            </g>
          ))}
          {hover !== null && (
            <g>
              <line x1={x(hover)} x2={x(hover)} y1={MARGIN.top} y2={MARGIN.top + plotHeight} className="chart-cursor" />
              {series.map((s) =>
                s.values[hover] !== null && s.values[hover] !== undefined ? (
                  <circle key={s.id} cx={x(hover)} cy={y(s.values[hover]!)} r={3.5} fill={s.color} stroke="#fff" strokeWidth={1.5} />
                ) : null,
              )}
            </g>
          )}
          <rect
            x={MARGIN.left}
            y={MARGIN.top}
            width={plotWidth}
            height={plotHeight}
            fill="transparent"
            onPointerMove={onPointerMove}
            onPointerLeave={() => setHover(null)}
          />
        </svg>
        {empty && emptyText && <p className="chart-empty">{emptyText}</p>}
        {hover !== null && times[hover] && (
          <div className="chart-tooltip" style={{ left: tooltipLeft }} role="status">
            <p className="chart-tooltip-title">{formatTime(times[hover])}</p>
            {series.map((s) => (
              <p key={s.id}>
                <span className="chart-swatch" style={{ background: s.color }} />
                {s.label}: <strong>{s.values[hover] === null ? '—' : formatValue(s.values[hover]!)}</strong>
              </p>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
