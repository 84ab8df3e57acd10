// Staff screens render in the browser only: they read the laptop's replicas
// and must open offline, through the service worker's app shell.
export const ssr = false;
