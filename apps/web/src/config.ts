/** Where the API is: the gateway serves this page, so it is the page's own origin. */
export function apiUrls(location: Pick<Location, 'origin'> = window.location): { http: string; ws: string } {
  const http = new URL('/graphql', location.origin).toString();
  return { http, ws: http.replace(/^http/, 'ws') };
}
