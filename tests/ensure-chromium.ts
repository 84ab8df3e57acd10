// Makes sure Debian's Chromium is there for the browser tests, installing it
// with apt when running as root (CI, fresh machines). Never downloads a browser.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

if (fs.existsSync(CHROMIUM)) {
	process.exit(0);
}
if (process.getuid?.() !== 0) {
	console.error(
		`Chromium is missing (${CHROMIUM}). Install Debian's package: sudo apt-get install -y chromium`
	);
	process.exit(1);
}
console.log('Installing Debian Chromium for the browser tests…');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
try {
	execFileSync('apt-get', ['install', '-y', 'chromium'], { stdio: 'inherit', env });
} catch {
	execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
	execFileSync('apt-get', ['install', '-y', 'chromium'], { stdio: 'inherit', env });
}
if (!fs.existsSync(CHROMIUM)) {
	console.error(`apt-get finished but ${CHROMIUM} is still missing.`);
	process.exit(1);
}
