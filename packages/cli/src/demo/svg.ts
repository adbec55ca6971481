// svg.ts — a line chart as inline SVG markup from measured points (no library, no script): axes with a few
// ticks, one polyline per series, the limit as a dashed line, a legend. Used by the --html page.
import type { Series } from './types.js';

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const colors = ['#d9480f', '#1971c2', '#2b8a3e', '#862e9c'];
const W = 640;
const H = 260;
const M = { left: 52, right: 16, top: 16, bottom: 56 };

/** 0, step, 2·step, … up to max, with a "nice" step (1, 2 or 5 × 10^n). */
function ticks(max: number): number[] {
  const raw = max / 4;
  const pow = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

export function lineChart(title: string, series: Series[]): string {
  const all = series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...all.map(([t]) => t));
  const yMax = Math.max(...all.map(([, v]) => v), ...series.map((s) => s.limit ?? 0)) * 1.1 || 1;
  const x = (t: number): number => M.left + (t / xMax) * (W - M.left - M.right);
  const y = (v: number): number => H - M.bottom - (v / yMax) * (H - M.top - M.bottom);
  const unit = series[0]?.unit ?? '';
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>`,
  ];
  for (const v of ticks(yMax)) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e9ecef"/>`);
    parts.push(`<text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${v}</text>`);
  }
  for (const t of ticks(xMax)) {
    parts.push(`<text x="${x(t)}" y="${H - M.bottom + 16}" text-anchor="middle" font-size="11">${t}</text>`);
  }
  parts.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="#495057"/>`);
  parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#495057"/>`);
  parts.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - M.bottom + 32}" text-anchor="middle" font-size="11">seconds</text>`);
  parts.push(`<text x="14" y="${(M.top + H - M.bottom) / 2}" font-size="11" transform="rotate(-90 14 ${(M.top + H - M.bottom) / 2})" text-anchor="middle">${escapeHtml(unit)}</text>`);
  series.forEach((s, i) => {
    const color = colors[i % colors.length]!;
    const pts = s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"/>`);
    if (s.limit !== undefined) {
      parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(s.limit)}" y2="${y(s.limit)}" stroke="${color}" stroke-dasharray="6 4"/>`);
      parts.push(`<text x="${W - M.right - 4}" y="${y(s.limit) - 4}" text-anchor="end" font-size="11" fill="${color}">limit ${s.limit} ${escapeHtml(s.unit)}</text>`);
    }
    const lx = M.left + 8 + i * 200;
    parts.push(`<rect x="${lx}" y="${H - 14}" width="12" height="3" fill="${color}"/>`);
    parts.push(`<text x="${lx + 16}" y="${H - 10}" font-size="11">${escapeHtml(s.label)} (${s.points.length} samples)</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
