// Chart.js set-up shared by the metrics panel's charts: registration, theme colours, common options.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Title,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { h } from '../shared/dom';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  BarController,
  BarElement,
  LinearScale,
  LogarithmicScale,
  CategoryScale,
  Filler,
  Legend,
  Tooltip,
  Title,
);

/** The charts on the page: destroyed before every render. */
export const charts: Chart[] = [];

export type Theme = ReturnType<typeof theme>;

/** Theme colours for the canvas (charts cannot use CSS variables directly). */
export function theme() {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    fg: v('--vscode-foreground', '#ccc'),
    muted: v('--vscode-descriptionForeground', '#999'),
    grid: v('--vscode-panel-border', 'rgba(128,128,128,0.35)'),
    blue: v('--vscode-charts-blue', '#3794ff'),
    red: v('--vscode-charts-red', '#f14c4c'),
    green: v('--vscode-charts-green', '#89d185'),
    yellow: v('--vscode-charts-yellow', '#cca700'),
    orange: v('--vscode-charts-orange', '#d18616'),
    purple: v('--vscode-charts-purple', '#b180d7'),
    font: v('--vscode-font-family', 'sans-serif'),
  };
}

/** A canvas chart in a sized box; `label` names it for screen readers (each chart has a table beside it). */
export function chart(config: ChartConfiguration, label: string, onCreate?: (c: Chart) => void): HTMLElement {
  const canvas = h('canvas', { role: 'img', 'aria-label': label });
  const box = h('div', { class: 'chart' }, canvas);
  // Created once the canvas is in the document (Chart.js measures its container).
  queueMicrotask(() => {
    const created = new Chart(canvas, config);
    charts.push(created);
    onCreate?.(created);
  });
  return box;
}

export function baseOptions(t: Theme, x: string, y: string) {
  Chart.defaults.color = t.fg;
  Chart.defaults.font.family = t.font;
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { labels: { color: t.fg, boxWidth: 12 } } },
    scales: {
      x: { title: { display: true, text: x, color: t.muted }, grid: { color: t.grid }, ticks: { color: t.muted } },
      y: { title: { display: true, text: y, color: t.muted }, grid: { color: t.grid }, ticks: { color: t.muted } },
    },
  };
}

/** A CSS colour with an alpha, for the bands (theme colours arrive as #rgb(a), #rrggbb(aa) or rgb()/rgba()). */
export function withAlpha(color: string, alpha: number): string {
  const a = Math.round(alpha * 255)
    .toString(16)
    .padStart(2, '0');
  const long = /^#([0-9a-f]{6})(?:[0-9a-f]{2})?$/i.exec(color);
  if (long) return `#${long[1]}${a}`;
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])[0-9a-f]?$/i.exec(color);
  if (short) return `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}${a}`;
  const rgb = /^rgba?\(([^,]+),([^,]+),([^,)]+)/.exec(color.replace(/\s+/g, ''));
  return rgb ? `rgba(${rgb[1]},${rgb[2]},${rgb[3]},${alpha})` : color;
}
