// Justified rows (as Flickr's and Midjourney's grids lay pictures out): each tile keeps its picture's
// proportions, the tiles of a row share one height, and each row but the last is scaled to fill the
// grid's width exactly; the last row keeps the target height and is not stretched.
//
// The layout is a few typed arrays, made in one pass over the ratios (about a millisecond for
// 10,000 generations): per row its first index, top and height (prefix positions, so that the rows
// on screen are found by a binary search), per tile its row, left edge and width. Edges are whole
// pixels, rounded from the exact positions, so that every full row ends on the grid's right edge.

/** A generation's width over height as the server's `generationShapes` gives it (null: not known). */
export function ratioOf(generation) {
  const m = generation?.outputMetadata ?? {};
  const p = generation?.inputParams ?? {};
  let ratio = ratioFrom(m.width, m.height) ?? ratioFrom(p.width, p.height);
  if (ratio === null && typeof p.aspect_ratio === 'string') {
    const found = /^\s*(\d+(?:\.\d+)?)\s*[:x×/]\s*(\d+(?:\.\d+)?)\s*$/.exec(p.aspect_ratio);
    if (found) ratio = ratioFrom(found[1], found[2]);
  }
  return ratio === null ? null : Math.round(Math.min(5, Math.max(0.2, ratio)) * 1e4) / 1e4;
}

function ratioFrom(width, height) {
  const w = Number(width);
  const h = Number(height);
  return w > 0 && h > 0 && Number.isFinite(w) && Number.isFinite(h) ? w / h : null;
}

/**
 * Lay out `count` tiles whose ratios `ratioAt(i)` gives, in rows `target` px high (about), inside
 * `width` px starting at `left`, the first row's top at `top`, `gap` px between tiles and rows.
 */
export function justify({count, ratioAt, width, target, gap, left = 0, top = 0}) {
  const rowOfItem = new Int32Array(count);
  const x = new Float64Array(count);
  const w = new Float64Array(count);
  const starts = [];
  const tops = [];
  const heights = [];
  const inner = Math.max(1, width);
  let y = top;
  let start = 0;
  let sum = 0;  // of the ratios of the row being filled
  const close = (end, height, stretch) => {
    const row = starts.length;
    starts.push(start);
    tops.push(y);
    heights.push(height);
    // Edges from the exact positions, rounded: the row's tiles and gaps add up to its width.
    const scale = stretch ? (inner - gap * (end - start - 1)) / sumOf(start, end) : height;
    let exact = left;
    for (let i = start; i < end; i += 1) {
      const from = Math.round(exact);
      exact += ratioAt(i) * scale;
      const to = i === end - 1 && stretch ? left + inner : Math.round(exact);
      x[i] = from;
      w[i] = Math.max(1, to - from);
      rowOfItem[i] = row;
      exact += gap;
    }
    y += height + gap;
    start = end;
    sum = 0;
  };
  const sumOf = (from, to) => { let s = 0; for (let i = from; i < to; i += 1) s += ratioAt(i); return s; };
  for (let i = 0; i < count; i += 1) {
    const ratio = ratioAt(i);
    sum += ratio;
    const n = i - start + 1;
    if (sum * target + gap * (n - 1) < inner) continue;
    // The row is full with this one. With it the row is lower than the target, without it higher:
    // keep whichever is nearer (in proportion), so that a wide picture does not flatten a row.
    const withIt = (inner - gap * (n - 1)) / sum;
    const without = n > 1 ? (inner - gap * (n - 2)) / (sum - ratio) : Infinity;
    if (n > 1 && Math.abs(Math.log(without / target)) < Math.abs(Math.log(withIt / target))) {
      close(i, Math.round(without), true);
      sum = ratio;
    } else {
      close(i + 1, Math.round(withIt), true);
    }
  }
  if (start < count) close(count, target, false);
  const rows = starts.length;
  return {
    count, rows, gap,
    rowStart: Int32Array.from([...starts, count]),  // rowStart[rows] = count
    rowTop: Float64Array.from(tops),
    rowHeight: Float64Array.from(heights),
    rowOfItem, x, w,
    bottom: rows ? tops[rows - 1] + heights[rows - 1] : top,
  };
}

/** The row whose band (its top to the next row's) holds `y`: 0..rows-1, or -1 without rows. */
export function rowAt(layout, y) {
  const {rowTop, rows} = layout;
  if (!rows) return -1;
  let lo = 0;
  let hi = rows - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (rowTop[mid] <= y) lo = mid; else hi = mid - 1;
  }
  return lo;
}

/** The tile of row `row` nearest to the horizontal position `centre`. */
export function nearestInRow(layout, row, centre) {
  const {rowStart, x, w} = layout;
  let best = rowStart[row];
  let distance = Infinity;
  for (let i = rowStart[row]; i < rowStart[row + 1]; i += 1) {
    const d = centre < x[i] ? x[i] - centre : centre > x[i] + w[i] ? centre - x[i] - w[i] : 0;
    if (d < distance) { distance = d; best = i; }
    if (d === 0) break;
  }
  return best;
}

/** The tiles a box covers (any part of them), in order. */
export function indicesInBox(layout, {x1, y1, x2, y2}) {
  const found = [];
  const first = Math.max(0, rowAt(layout, y1));
  const last = rowAt(layout, y2);
  for (let row = first; row <= last && row >= 0; row += 1) {
    const top = layout.rowTop[row];
    if (top > y2 || top + layout.rowHeight[row] < y1) continue;
    for (let i = layout.rowStart[row]; i < layout.rowStart[row + 1]; i += 1) {
      if (layout.x[i] <= x2 && layout.x[i] + layout.w[i] >= x1) found.push(i);
    }
  }
  return found;
}
