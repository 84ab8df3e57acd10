import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { roundCoordinate } from '../domain/place.ts';
import { TILE_ATTRIBUTION, TILE_URL } from './map-tiles.ts';

export interface LatLng {
	lat: number;
	lng: number;
}

export interface PlaceMapOptions {
	centre: LatLng;
	position: LatLng | null;
	/** Staff look at the place; only the resident moves the pin. */
	readonly: boolean;
	pinLabel: string;
	zoomLabels: { in: string; out: string };
	onpick?: (position: LatLng) => void;
	/** A tile failed: offline, or the tile server is down. */
	ontileerror?: () => void;
}

export interface PlaceMap {
	/** `focus`: the place came from elsewhere (the phone's position), so show it up close. */
	setPosition(position: LatLng | null, options?: { focus?: boolean }): void;
	centre(): LatLng;
	destroy(): void;
}

// Roughly the 30 km the server accepts around the commune's centre.
const REACH_LAT = 0.3;
const REACH_LNG = 0.45;

// An inline SVG pin: Leaflet's default marker images do not survive bundling.
const PIN_SVG =
	'<svg viewBox="0 0 32 44" width="32" height="44" aria-hidden="true" focusable="false">' +
	'<path d="M16 1C7.7 1 1 7.6 1 15.8 1 27 16 43 16 43s15-16 15-27.2C31 7.6 24.3 1 16 1z" ' +
	'fill="#b3261e" stroke="#fff" stroke-width="2"/><circle cx="16" cy="16" r="5.5" fill="#fff"/></svg>';

/**
 * Leaflet is loaded only where a place is shown or chosen (dynamic import), so
 * villager pages without a map do not pay for it.
 */
export function createPlaceMap(element: HTMLElement, options: PlaceMapOptions): PlaceMap {
	const { centre } = options;
	const map = L.map(element, {
		center: options.position ?? centre,
		zoom: options.position ? 17 : 14,
		minZoom: 11,
		maxZoom: 19,
		maxBounds: L.latLngBounds(
			[centre.lat - REACH_LAT, centre.lng - REACH_LNG],
			[centre.lat + REACH_LAT, centre.lng + REACH_LNG]
		),
		maxBoundsViscosity: 1,
		zoomControl: false
	});
	L.control
		.zoom({ zoomInTitle: options.zoomLabels.in, zoomOutTitle: options.zoomLabels.out })
		.addTo(map);
	map.attributionControl.setPrefix(false);
	L.tileLayer(TILE_URL, {
		attribution: TILE_ATTRIBUTION,
		maxZoom: 19,
		// CORS responses: the service worker can cache them at their real size.
		crossOrigin: 'anonymous'
	})
		.on('tileerror', () => options.ontileerror?.())
		.addTo(map);

	const icon = L.divIcon({
		className: 'place-pin',
		html: PIN_SVG,
		iconSize: [32, 44],
		iconAnchor: [16, 43]
	});
	let pin: L.Marker | null = null;

	function setPosition(position: LatLng | null, { focus = false } = {}) {
		if (!position) {
			pin?.remove();
			pin = null;
			return;
		}
		if (!pin) {
			pin = L.marker(position, {
				icon,
				title: options.pinLabel,
				alt: options.pinLabel,
				draggable: !options.readonly,
				keyboard: false
			}).addTo(map);
			pin.on('dragend', () => {
				const moved = pin!.getLatLng();
				options.onpick?.({ lat: roundCoordinate(moved.lat), lng: roundCoordinate(moved.lng) });
			});
		} else {
			pin.setLatLng(position);
		}
		if (focus) map.setView(position, Math.max(map.getZoom(), 17));
		else if (!map.getBounds().pad(-0.1).contains(position)) map.panTo(position);
	}

	if (!options.readonly) {
		map.on('click', (event: L.LeafletMouseEvent) => {
			options.onpick?.({
				lat: roundCoordinate(event.latlng.lat),
				lng: roundCoordinate(event.latlng.lng)
			});
		});
	}
	setPosition(options.position);

	return {
		setPosition,
		centre: () => {
			const here = map.getCenter();
			return { lat: roundCoordinate(here.lat), lng: roundCoordinate(here.lng) };
		},
		destroy: () => map.remove()
	};
}
