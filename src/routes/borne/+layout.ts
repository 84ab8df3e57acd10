// The kiosk renders in the browser only: it reads the tablet's replica and
// opens offline through the service worker's app shell.
export const ssr = false;
