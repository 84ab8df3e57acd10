// Runs in Node, inside the embedded stand-in: CouchDB's purge for PouchDB 7's
// LevelDB adapter, which has none. couch/embedded/server.js patches the
// adapter's source so that each database gets `api._crieurPurge`, built here
// with the adapter's private stores and write lock (its document count and
// update sequence live in that closure, out of reach of a plugin).
'use strict';

/**
 * @param {object} ctx the adapter's closure: api, stores, db() (the open LevelDB),
 *   name, writeLock, LevelTransaction, levelChanges, merge (pouchdb-merge),
 *   getWinningRev, getIsDeleted, formatSeq
 * @returns {(docId: string, revs: string[], callback: (err: Error | null, purged?: string[]) => void) => void}
 */
module.exports = function makePurge(ctx) {
	const { api, stores, merge, formatSeq } = ctx;

	/**
	 * As CouchDB 3: only leaves can be purged (other revisions are ignored and
	 * left out of the answer); a purged leaf takes with it the part of its branch
	 * no other leaf needs, bodies and attachments included; a document without
	 * leaves is gone (not in _all_docs, _changes nor the document count); one
	 * with leaves left gets a new sequence, so replicas look at it again.
	 */
	return ctx.writeLock(function (docId, revs, callback) {
		const db = ctx.db();
		const txn = new ctx.LevelTransaction();
		txn.get(stores.docStore, docId, function (err, metadata) {
			if (err) return err.name === 'NotFoundError' ? callback(null, []) : callback(err);
			const leaves = merge.collectLeaves(metadata.rev_tree).map((leaf) => leaf.rev);
			const purged = leaves.filter((rev) => revs.includes(rev));
			if (purged.length === 0) return callback(null, []);

			const before = [];
			merge.traverseRevTree(metadata.rev_tree, (isLeaf, pos, hash) => {
				before.push(`${pos}-${hash}`);
			});
			// A node stays if it leads to a leaf that stays.
			const prune = (pos, node) => {
				if (node[2].length === 0) return purged.includes(`${pos}-${node[0]}`) ? null : node;
				const children = node[2].map((child) => prune(pos + 1, child)).filter(Boolean);
				return children.length > 0 ? [node[0], node[1], children] : null;
			};
			const tree = metadata.rev_tree
				.map((root) => {
					const ids = prune(root.pos, root.ids);
					return ids && { pos: root.pos, ids };
				})
				.filter(Boolean);
			const kept = new Set();
			merge.traverseRevTree(tree, (isLeaf, pos, hash) => {
				kept.add(`${pos}-${hash}`);
			});
			const withBodies = before.filter((rev) => !kept.has(rev) && metadata.rev_map[rev]);
			const wasDeleted = ctx.getIsDeleted(metadata, ctx.getWinningRev(metadata));

			// Compaction's own routine drops the bodies and any attachment only they used.
			api._doCompactionNoLock(docId, withBodies, { ctx: txn }, function (err) {
				if (err) return callback(err);
				let docCountDelta = 0;
				let updateSeq = db._updateSeq;
				const done = (err) => {
					if (err) return callback(err);
					txn.batch([
						{
							prefix: stores.metaStore,
							type: 'put',
							key: '_local_last_update_seq',
							value: updateSeq
						},
						{
							prefix: stores.metaStore,
							type: 'put',
							key: '_local_doc_count',
							value: db._docCount + docCountDelta
						}
					]);
					txn.execute(db, function (err) {
						if (err) return callback(err);
						db._docCount += docCountDelta;
						db._updateSeq = updateSeq;
						ctx.levelChanges.notify(ctx.name);
						callback(null, purged);
					});
				};
				if (tree.length === 0) {
					txn.batch([{ type: 'del', prefix: stores.docStore, key: docId }]);
					if (!wasDeleted) docCountDelta = -1;
					return done();
				}
				metadata.rev_tree = tree;
				delete metadata.winningRev;
				delete metadata.deleted;
				const winner = merge.winningRev(metadata);
				const deleted = merge.isDeleted(metadata, winner);
				metadata.winningRev = winner;
				metadata.deleted = deleted;
				if (wasDeleted !== deleted) docCountDelta = deleted ? -1 : 1;
				const oldSeq = formatSeq(metadata.rev_map[winner]);
				txn.get(stores.bySeqStore, oldSeq, function (err, body) {
					if (err) return done(err);
					const seq = ++updateSeq;
					metadata.rev_map[winner] = seq;
					metadata.seq = seq;
					txn.batch([
						{ type: 'del', prefix: stores.bySeqStore, key: oldSeq },
						{ type: 'put', prefix: stores.bySeqStore, key: formatSeq(seq), value: body },
						{ type: 'put', prefix: stores.docStore, key: docId, value: metadata }
					]);
					done();
				});
			});
		});
	});
};
