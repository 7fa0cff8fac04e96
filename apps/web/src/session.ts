// The API key lives in session storage only: gone when the tab closes, never in the URL.
const KEY = 'f2f.apiKey';

export const readApiKey = (storage: Storage = window.sessionStorage): string | null => storage.getItem(KEY);
export const saveApiKey = (key: string, storage: Storage = window.sessionStorage): void =>
  storage.setItem(KEY, key);
export const forgetApiKey = (storage: Storage = window.sessionStorage): void => storage.removeItem(KEY);
