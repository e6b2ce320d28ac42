// Small line icons for the artifact types and the generators' own (`icon` of a generator), inline
// SVG: no font has to carry them.

const PATHS = {
  image: ['M4 5h16v14H4z', 'M4 16l5-5 4 4 3-3 4 4', 'M15.5 9.5a1.5 1.5 0 1 0 0-.01'],
  video: ['M4 6h12v12H4z', 'M16 10l4-2.5v9L16 14'],
  audio: ['M9 18V6l10-2v12', 'M9 18a2.5 2.5 0 1 1-5 0 2.5 2.5 0 0 1 5 0', 'M19 16a2.5 2.5 0 1 1-5 0 2.5 2.5 0 0 1 5 0'],
  text: ['M5 6h14', 'M5 10h14', 'M5 14h10', 'M5 18h12'],
  other: ['M6 4h9l3 3v13H6z'],
  title: ['M5 6V4h14v2', 'M12 4v16', 'M9 20h6'],
  resize: ['M4 14v6h6', 'M4 20l7-7', 'M20 10V4h-6', 'M20 4l-7 7'],
  adjust: ['M5 6h14', 'M5 12h14', 'M5 18h14', 'M9 4v4', 'M15 10v4', 'M11 16v4'],
  grid: ['M4 4h7v7H4z', 'M13 4h7v7h-7z', 'M4 13h7v7H4z', 'M13 13h7v7h-7z'],
  frame: ['M4 5h16v14H4z', 'M8 5v14', 'M16 5v14', 'M4 9h4', 'M4 15h4', 'M16 9h4', 'M16 15h4'],
  edit: ['M4 20h4L19 9l-4-4L4 16z', 'M13 7l4 4'],
  people: ['M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6z', 'M3 19a6 6 0 0 1 12 0', 'M16 11a2.5 2.5 0 1 0 0-5', 'M17 14a5 5 0 0 1 4 5'],
  speech: ['M12 4a3 3 0 0 1 3 3v5a3 3 0 0 1-6 0V7a3 3 0 0 1 3-3z', 'M6 11a6 6 0 0 0 12 0', 'M12 17v3'],
};

/** An <svg> icon by name (image/video/audio/text in any case, or a generator's icon); decorative unless given a label. */
export function typeIcon(type, {size = 20, label = null} = {}) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('class', 'type-icon');
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '1.6');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('stroke-linejoin', 'round');
  if (label) { svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', label); } else svg.setAttribute('aria-hidden', 'true');
  for (const d of PATHS[String(type).toLowerCase()] ?? PATHS.other) {
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}
