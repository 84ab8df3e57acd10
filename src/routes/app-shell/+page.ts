// The service worker serves this page for any URL it has not cached: with SSR
// off it carries no content, and the router renders the requested route from
// the local replica.
export const ssr = false;
