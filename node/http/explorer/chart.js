// Small hand-drawn SVG charts (no chart library): a line chart of points
// {x, y, tip}; every point carries a <title> tooltip.
import { esc } from "./api.js";

function fmt(v) {
  if (Math.abs(v) >= 1000) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(3).replace(/\.?0+$/, "") || "0";
}

export function lineChart(title, points, opts = {}) {
  const w = opts.width || 420, h = opts.height || 180, left = 56, right = 12, top = 10, bottom = 28;
  if (!points.length) {
    return '<div class="chart" data-chart="' + esc(opts.id || title) + '" data-points="0"><div class="title">' + esc(title) +
           '</div><div class="note" style="width:' + w + 'px">' + esc(opts.empty || "no data yet") + "</div></div>";
  }
  const xs = points.map(p => p.x), ys = points.map(p => p.y);
  let x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(0, ...ys), y1 = Math.max(...ys);
  if (x0 === x1) { x0 -= 1; x1 += 1; }
  if (y0 === y1) { y1 = y0 + 1; }
  const xfmt = xs.every(Number.isInteger) ? (v => String(Math.round(v))) : fmt;
  const sx = x => left + (x - x0) / (x1 - x0) * (w - left - right);
  const sy = y => top + (1 - (y - y0) / (y1 - y0)) * (h - top - bottom);
  const path = points.map((p, i) => (i ? "L" : "M") + sx(p.x).toFixed(1) + "," + sy(p.y).toFixed(1)).join(" ");
  const dots = points.map(p => '<circle cx="' + sx(p.x).toFixed(1) + '" cy="' + sy(p.y).toFixed(1) + '" r="2.5" fill="#1d3557"><title>' +
                               esc(p.tip || (opts.xLabel || "x") + " " + p.x + ": " + fmt(p.y)) + "</title></circle>").join("");
  const axes = '<line x1="' + left + '" y1="' + (h - bottom) + '" x2="' + (w - right) + '" y2="' + (h - bottom) + '" stroke="#999"/>' +
               '<line x1="' + left + '" y1="' + top + '" x2="' + left + '" y2="' + (h - bottom) + '" stroke="#999"/>' +
               '<text x="' + (left - 4) + '" y="' + (top + 8) + '" text-anchor="end">' + fmt(y1) + "</text>" +
               '<text x="' + (left - 4) + '" y="' + (h - bottom) + '" text-anchor="end">' + fmt(y0) + "</text>" +
               '<text x="' + left + '" y="' + (h - bottom + 12) + '">' + xfmt(x0) + "</text>" +
               '<text x="' + (w - right) + '" y="' + (h - bottom + 12) + '" text-anchor="end">' + xfmt(x1) + "</text>" +
               '<text x="' + ((left + w - right) / 2) + '" y="' + (h - 4) + '" text-anchor="middle">' + esc(opts.xLabel || "") + "</text>" +
               '<text x="10" y="' + ((top + h - bottom) / 2) + '" text-anchor="middle" transform="rotate(-90 10 ' + ((top + h - bottom) / 2) + ')">' +
               esc(opts.yLabel || "") + "</text>";
  return '<div class="chart" data-chart="' + esc(opts.id || title) + '" data-points="' + points.length + '"><div class="title">' + esc(title) +
         '</div><svg width="' + w + '" height="' + h + '" role="img" aria-label="' + esc(title) + '">' + axes +
         '<path d="' + path + '" fill="none" stroke="#457b9d" stroke-width="1.5"/>' + dots + "</svg></div>";
}
