// The theme: the system's by default, or the one the artist chose in Settings (kept in this browser).
const KEY = 'boards.theme';

/** 'system' | 'light' | 'dark' */
export function currentTheme() {
  return localStorage.getItem(KEY) ?? 'system';
}

export function setTheme(theme) {
  if (theme === 'system') localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, theme);
  applyTheme();
}

export function applyTheme() {
  const theme = currentTheme();
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}
