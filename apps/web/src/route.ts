import { useEffect, useState } from 'react';

/** The page's screens, from the URL's hash (#/, #/edits/<id>, #/history, #/analytics). */
export type Route =
  { name: 'new' } | { name: 'edit'; id: string } | { name: 'history' } | { name: 'analytics' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const edit = /^\/edits\/([^/?#]+)$/.exec(path);
  if (edit) return { name: 'edit', id: decodeURIComponent(edit[1]) };
  if (path === '/history') return { name: 'history' };
  if (path === '/analytics') return { name: 'analytics' };
  return { name: 'new' };
}

export const editHref = (id: string) => `#/edits/${encodeURIComponent(id)}`;

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
