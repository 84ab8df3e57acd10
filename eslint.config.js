import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
	{
		// Design documents are bare CouchDB functions, not modules: they are checked
		// by running them in node:vm (couch/ddocs.test.ts) and against the real server.
		ignores: [
			'build/',
			'build-next/',
			'.svelte-kit/',
			'node_modules/',
			'data/',
			'test-results/',
			'bench/results/',
			'couch/ddocs/',
			'src/lib/i18n/paraglide/',
			'src/lib/i18n/project.inlang/'
		]
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } }
	},
	{
		files: ['**/*.ts', '**/*.svelte', '**/*.svelte.ts'],
		languageOptions: {
			parserOptions: {
				projectService: true,
				extraFileExtensions: ['.svelte'],
				parser: ts.parser
			}
		},
		rules: {
			'@typescript-eslint/no-floating-promises': 'error',
			// Crieur is served at the root of its origin (no base path): the service
			// worker's shell and cached pages rely on absolute paths anyway.
			'svelte/no-navigation-without-resolve': 'off',
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
			]
		}
	},
	{
		// Pure rules stay pure: no I/O, no framework, nothing from the layers above.
		files: ['src/lib/domain/**'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: [
								'**/client/**',
								'**/server/**',
								'**/ui/**',
								'$app/*',
								'svelte',
								'svelte/*',
								'node:*',
								'pouchdb*',
								'dexie',
								'nano'
							],
							message:
								'domain/ holds pure rules shared by client, server and couch/: no I/O and no imports from the layers above it.'
						}
					]
				}
			]
		}
	},
	{
		// Browser code must not pull server modules (secrets, nano) into the bundle.
		files: ['src/lib/client/**', 'src/lib/ui/**'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: ['**/server/**', 'nano', 'node:*'],
							message: 'Browser code cannot import server modules.'
						}
					]
				}
			]
		}
	}
);
