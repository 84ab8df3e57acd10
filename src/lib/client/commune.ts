/** The commune this origin serves (its slug names its databases and roles); needs the network. */
export async function fetchCommuneSlug(): Promise<string> {
	const response = await fetch('/api/public/commune');
	if (!response.ok) throw new Error(`commune: ${response.status}`);
	return ((await response.json()) as { slug: string }).slug;
}
