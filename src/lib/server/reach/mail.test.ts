import { describe, expect, it } from 'vitest';
import { alertMail, confirmationMail, weeklyMail } from './mail.ts';

const context = {
	to: 'jeanne@example.fr',
	communeName: 'Saint-Crieur',
	origin: 'https://saint-crieur.example',
	lang: 'fr' as const,
	unsubscribe: 'abc.def'
};

describe('the e-mails', () => {
	it('carry an unsubscribe page and a one-click address in every message', () => {
		const mail = alertMail(
			{ _id: 'notice:coupure-eau', title: 'Coupure d’eau', body: 'Jeudi de 8 h à 16 h.\n' },
			{ ...context, title: 'Coupure d’eau' }
		);
		expect(mail.unsubscribe).toEqual({
			page: 'https://saint-crieur.example/alertes/email?t=abc.def&action=desabonner',
			oneClick: 'https://saint-crieur.example/api/email/unsubscribe?t=abc.def'
		});
		expect(mail.subject).toBe('Alerte — Coupure d’eau (Saint-Crieur)');
		expect(mail.text).toContain('Jeudi de 8 h à 16 h.');
		expect(mail.text).toContain('https://saint-crieur.example/avis/coupure-eau');
		expect(mail.text).toContain(mail.unsubscribe.page);
	});

	it('ask for confirmation with a link to a page, not an action', () => {
		const mail = confirmationMail({ ...context, confirm: 'id.secret' });
		expect(mail.text).toContain(
			'https://saint-crieur.example/alertes/email?t=id.secret&action=confirmer'
		);
		expect(mail.text).toContain('7 jours');
	});

	it('list the week’s news, each with its page', () => {
		const mail = weeklyMail(
			[
				{ id: 'notice:brocante', title: 'Brocante dimanche' },
				{ id: 'event:conseil', title: 'Conseil municipal' }
			],
			context
		);
		expect(mail.subject).toBe('Cette semaine à Saint-Crieur : 2 nouveautés');
		expect(mail.text).toContain(
			'• Brocante dimanche\n  https://saint-crieur.example/avis/brocante'
		);
		expect(mail.text).toContain('https://saint-crieur.example/agenda/conseil');
	});
});
