'use client';

// Horizontal bars for a top list (tools, keys, groups), in SVG: the name, a bar split into successful calls and
// errors, the count, a value axis with round ticks, and a tooltip on hover or with ↑/↓ once the chart has focus.
import { useState, type KeyboardEvent } from 'react';
import { linear, niceTicks } from './scale';
import { useWidth } from './use-width';

export interface BarRow {
  id: string;
  label: string;
  value: number;
  /** The part of `value` that failed, drawn in the error colour. */
  errors: number;
  /** Extra lines for the tooltip. */
  details?: string[];
}

interface BarListChartProps {
  label: string;
  rows: BarRow[];
  formatValue(value: number): string;
  /** "{n} calls, {e} errors" for the tooltip. */
  describe(row: BarRow): string;
  emptyText: string;
}

const ROW = 28;
const LABEL_WIDTH = 168;
const MARGIN = { top: 4, right: 56, bottom: 24 };

export function BarListChart({ label, rows, formatValue, describe, emptyText }: BarListChartProps) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const [hover, setHover] = useState<number | null>(null);

  if (rows.length === 0) {
    return (
      <div ref={ref} className="chart-frame">
        <p className="chart-empty-block">{emptyText}</p>
      </div>
    );
  }

  const height = MARGIN.top + rows.length * ROW + MARGIN.bottom;
  const ticks = niceTicks(Math.max(...rows.map((row) => row.value)), 4);
  const x = linear([0, ticks[ticks.length - 1]], [LABEL_WIDTH, width - MARGIN.right]);
  const axisY = MARGIN.top + rows.length * ROW;

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const current = hover ?? -1;
    const next = event.key === 'ArrowDown' ? current + 1 : event.key === 'ArrowUp' ? current - 1 : event.key === 'Home' ? 0 : event.key === 'End' ? rows.length - 1 : null;
    if (event.key === 'Escape') setHover(null);
    if (next === null) return;
    event.preventDefault();
    setHover(Math.max(0, Math.min(rows.length - 1, next)));
  }

  const hovered = hover !== null ? rows[hover] : null;

  return (
    <div
      ref={ref}
      className="chart-frame"
      role="group"
      aria-label={label}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onFocus={() => setHover((h) => h ?? 0)}
      onBlur={() => setHover(null)}
    >
      <svg width={width} height={height} aria-hidden="true" className="chart-svg">
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={x(tick)} x2={x(tick)} y1={MARGIN.top} y2={axisY} className="chart-grid" />
            <text x={x(tick)} y={height - 8} className="chart-tick" textAnchor="middle">
              {formatValue(tick)}
            </text>
          </g>
        ))}
        <line x1={LABEL_WIDTH} x2={LABEL_WIDTH} y1={MARGIN.top} y2={axisY} className="chart-axis" />
        {rows.map((row, index) => {
          const top = MARGIN.top + index * ROW;
          const okWidth = x(row.value - row.errors) - x(0);
          const errorWidth = x(row.value) - x(row.value - row.errors);
          return (
            <g
              key={row.id}
              className={hover === index ? 'chart-bar chart-bar-active' : 'chart-bar'}
              onPointerEnter={() => setHover(index)}
              onPointerLeave={() => setHover(null)}
            >
              <rect x={0} y={top} width={width} height={ROW} fill="transparent" />
              <text x={LABEL_WIDTH - 10} y={top + ROW / 2} className="chart-label" textAnchor="end" dominantBaseline="middle">
                {clip(row.label, 24)}
              </text>
              <rect x={x(0)} y={top + 6} width={Math.max(0, okWidth)} height={ROW - 12} rx={3} className="chart-bar-ok" />
              {row.errors > 0 && (
                <rect x={x(0) + okWidth} y={top + 6} width={Math.max(1.5, errorWidth)} height={ROW - 12} rx={2} className="chart-bar-error" />
              )}
              <text x={x(row.value) + 6} y={top + ROW / 2} className="chart-value" dominantBaseline="middle">
                {formatValue(row.value)}
              </text>
            </g>
          );
        })}
      </svg>
      {hovered && hover !== null && (
        <div className="chart-tooltip" style={{ left: Math.min(x(hovered.value) + 12, width - 200), top: MARGIN.top + hover * ROW + ROW }} role="status">
          <p className="chart-tooltip-title">{hovered.label}</p>
          <p>{describe(hovered)}</p>
          {hovered.details?.map((line) => <p key={line}>{line}</p>)}
        </div>
      )}
    </div>
  );
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
