/**
 * Background of the report map. OpenStreetMap's own tiles: free for light use
 * under its tile policy (attribution shown, tiles cached, no bulk download).
 * A host serving many communes should point this at its own tile server.
 */
export const TILE_ORIGIN = 'https://tile.openstreetmap.org';
export const TILE_URL = `${TILE_ORIGIN}/{z}/{x}/{y}.png`;
export const TILE_ATTRIBUTION =
	'© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>';
