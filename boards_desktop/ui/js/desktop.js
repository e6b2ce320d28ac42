// Native touches when the page runs in the app's window (pywebview's bridge), browser fallbacks elsewhere.
import {downloadUrl} from './api.js';
import {toast, toastError} from './toast.js';

/** The desktop bridge, or null in a plain browser. */
export function bridge() {
  return window.pywebview?.api?.save_as ? window.pywebview.api : null;
}

/** Save a media file: a "save as" dialog in the window, a download in a browser. */
export async function saveMedia(storageUrl, suggestedName) {
  const api = bridge();
  if (!api) {
    const link = Object.assign(document.createElement('a'), {href: downloadUrl(storageUrl, suggestedName), download: suggestedName ?? ''});
    document.body.append(link);
    link.click();
    link.remove();
    return;
  }
  try {
    const outcome = await api.save_as(storageUrl, suggestedName ?? null);
    if (outcome?.saved) toast(`Saved to ${outcome.saved}`, {kind: 'ok'});
  } catch (error) {
    toastError('Could not save the file', error);
  }
}

/** Show a media file in the system's file manager (window only). */
export async function showInFolder(storageUrl) {
  const api = bridge();
  if (!api) return toast('“Show in folder” works in the app’s window', {kind: 'info'});
  try {
    await api.show_in_folder(storageUrl);
  } catch (error) {
    toastError('Could not show the file', error);
  }
}

/** Open the data folder in the file manager (window only). */
export async function openDataFolder() {
  const api = bridge();
  if (!api) return toast('Opening the folder works in the app’s window', {kind: 'info'});
  try {
    await api.open_data_folder();
  } catch (error) {
    toastError('Could not open the data folder', error);
  }
}
