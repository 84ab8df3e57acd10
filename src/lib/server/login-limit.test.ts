import { describe, expect, it } from 'vitest';
import {
	basicAuthName,
	LOGIN_FAILURES_ALLOWED,
	LoginGuard,
	loginCredentials
} from './login-limit.ts';

const answer = (status: number) => () => Promise.resolve(new Response(null, { status }));
const wrong = (response: Response) => Promise.resolve(response.status === 401);
const who = (address: string, name: string, trustedDevice: string | null = null) => ({
	address,
	name,
	trustedDevice
});

describe('LoginGuard', () => {
	it('never counts successful logins', async () => {
		const guard = new LoginGuard();
		for (let i = 0; i < 50; i++) {
			const outcome = await guard.attempt(who('10.0.0.1', 'secretariat'), answer(200), wrong);
			expect(outcome.blocked).toBe(false);
		}
	});

	it('pauses an address after its failures, even for the right password', async () => {
		const guard = new LoginGuard();
		for (let i = 0; i < LOGIN_FAILURES_ALLOWED; i++) {
			await guard.attempt(who('10.0.0.2', `nom-${i}`), answer(401), wrong);
		}
		const outcome = await guard.attempt(who('10.0.0.2', 'secretariat'), answer(200), wrong);
		expect(outcome).toMatchObject({ blocked: true });
		expect(outcome.blocked && outcome.retryAfterSeconds).toBeGreaterThan(14 * 60);
		expect((await guard.attempt(who('10.0.0.3', 'secretariat'), answer(200), wrong)).blocked).toBe(
			false
		);
	});

	it('pauses a name aimed at from many addresses, all at once', async () => {
		const guard = new LoginGuard();
		const outcomes = await Promise.all(
			Array.from({ length: 25 }, (_, i) =>
				guard.attempt(who(`10.1.0.${i}`, 'secretariat'), answer(401), wrong)
			)
		);
		expect(outcomes.filter((outcome) => outcome.blocked)).toHaveLength(25 - LOGIN_FAILURES_ALLOWED);
		expect((await guard.attempt(who('10.2.0.1', 'autre'), answer(200), wrong)).blocked).toBe(false);
	});

	it('lets a trusted device in while strangers have paused its account', async () => {
		const guard = new LoginGuard();
		for (let i = 0; i < 25; i++)
			await guard.attempt(who(`10.3.0.${i}`, 'secretariat'), answer(401), wrong);
		expect((await guard.attempt(who('10.3.1.1', 'secretariat'), answer(200), wrong)).blocked).toBe(
			true
		);
		const laptop = who('10.3.0.1', 'secretariat', 'poste-1');
		expect((await guard.attempt(laptop, answer(200), wrong)).blocked).toBe(false);
	});

	it('pauses a trusted device after its own failures, and only it', async () => {
		const guard = new LoginGuard();
		const laptop = who('10.4.0.1', 'secretariat', 'poste-1');
		for (let i = 0; i < LOGIN_FAILURES_ALLOWED; i++)
			await guard.attempt(laptop, answer(401), wrong);
		expect((await guard.attempt(laptop, answer(200), wrong)).blocked).toBe(true);
		const other = who('10.4.0.1', 'secretariat', 'poste-2');
		expect((await guard.attempt(other, answer(200), wrong)).blocked).toBe(false);
		expect((await guard.attempt(who('10.4.0.2', 'secretariat'), answer(200), wrong)).blocked).toBe(
			false
		);
	});
});

describe('login names', () => {
	const bytes = (text: string) => new TextEncoder().encode(text);
	it.each([
		['{"name":"secretariat","password":"x"}', 'application/json', 'secretariat'],
		['{"name":"a","password":"x","roles":["_admin"]}', 'application/json', 'a'],
		['name=secr%C3%A9tariat&password=x', 'application/x-www-form-urlencoded', 'secrétariat']
	])('reads %s, name and password only', (body, type, name) => {
		expect(loginCredentials(bytes(body), type)).toEqual({ name, password: 'x' });
	});

	it.each([
		['{"name":["a"],"password":"x"}', 'application/json'],
		['{"name":"a","password":1}', 'application/json'],
		['{"name":"a"}', 'application/json'],
		['null', 'application/json'],
		['pas du JSON', 'application/json'],
		['name=a', 'application/x-www-form-urlencoded']
	])('refuses %s', (body, type) => {
		expect(loginCredentials(bytes(body), type)).toBeNull();
	});

	it('reads the name of basic auth', () => {
		expect(basicAuthName(`Basic ${Buffer.from('admin:mot:de:passe').toString('base64')}`)).toBe(
			'admin'
		);
		expect(basicAuthName('Bearer abc')).toBeNull();
		expect(basicAuthName(null)).toBeNull();
	});
});
