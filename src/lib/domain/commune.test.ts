import { describe, expect, it } from 'vitest';
import { hostName, hostOfHeader } from './commune.ts';

describe('host names that reach a commune (issue 15 §2)', () => {
	it('keeps a plain host name, in lower case, without a final dot', () => {
		expect(hostName('Saint-Crieur.Example.FR')).toBe('saint-crieur.example.fr');
		expect(hostName(' mairie.localhost. ')).toBe('mairie.localhost');
		expect(hostName('xn--chteau-bva.fr')).toBe('xn--chteau-bva.fr');
	});

	it('refuses what is not one: a scheme, a port, a path, spaces, bad labels', () => {
		for (const value of [
			'https://x.fr',
			'x.fr:443',
			'x.fr/avis',
			'a b.fr',
			'-x.fr',
			'x-.fr',
			'x..fr',
			'',
			'château.fr',
			`${'a'.repeat(64)}.fr`
		]) {
			expect(hostName(value), value).toBeNull();
		}
	});

	it('reads the host name of a Host header, port and case aside', () => {
		expect(hostOfHeader('Voisine.localhost:3000')).toBe('voisine.localhost');
		expect(hostOfHeader('voisine.localhost.')).toBe('voisine.localhost');
		expect(hostOfHeader('[::1]:8080')).toBe('[::1]');
		expect(hostOfHeader(null)).toBe('');
	});
});
