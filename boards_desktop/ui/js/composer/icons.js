// Small line icons for the artifact types (inline SVG: no font has to carry them).

const PATHS = {
  image: ['M4 5h16v14H4z', 'M4 16l5-5 4 4 3-3 4 4', 'M15.5 9.5a1.5 1.5 0 1 0 0-.01'],
  video: ['M4 6h12v12H4z', 'M16 10l4-2.5v9L16 14'],
  audio: ['M9 18V6l10-2v12', 'M9 18a2.5 2.5 0 1 1-5 0 2.5 2.5 0 0 1 5 0', 'M19 16a2.5 2.5 0 1 1-5 0 2.5 2.5 0 0 1 5 0'],
  text: ['M5 6h14', 'M5 10h14', 'M5 14h10', 'M5 18h12'],
  other: ['M6 4h9l3 3v13H6z'],
};

/** An <svg> icon for image/video/audio/text (any case); decorative unless given a label. */
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
