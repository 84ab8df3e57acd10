import { m } from '#lib/i18n/index.ts';
import { jsonError } from '#lib/server/http.ts';
import {
	OPEN_DATA_TABLES,
	openDataCsv,
	readOpenData,
	type OpenDataTable
} from '#lib/server/open-data.ts';
import type { RequestHandler } from './$types';

/** One table of the open data as CSV: avis, sondages (one row per answer) or agenda. */
export const GET: RequestHandler = async ({ params, url, locals }) => {
	const table = params.table as OpenDataTable;
	if (!OPEN_DATA_TABLES.includes(table)) {
		return jsonError(
			404,
			'not_found',
			m.openData_unknownTable({ tables: OPEN_DATA_TABLES.join(', ') })
		);
	}
	const backend = locals.backend;
	const data = await readOpenData(backend, backend.config.origin ?? url.origin);
	return new Response(openDataCsv(data, table), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${table}-${data.commune.slug}.csv"`,
			'cache-control': 'public, max-age=300',
			'access-control-allow-origin': '*'
		}
	});
};
