import type { DatabaseSync } from 'node:sqlite';

/**
 * A full disk for one SQLite database, without filling the machine's: caps the file at its current
 * size plus two pages (`max_page_count`) and fills what room is left, so the next write that needs
 * space fails with SQLITE_FULL ("database or disk is full"), what a full disk gives. The returned
 * function undoes both.
 */
export function fillSqliteUp(db: DatabaseSync): () => void {
  const pages = (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
  db.exec(`PRAGMA max_page_count = ${pages + 2}; CREATE TABLE test_filler (b BLOB)`);
  const insert = db.prepare('INSERT INTO test_filler VALUES (randomblob(?))');
  // Largest pieces first, then ever smaller ones into the last free bytes of the last pages.
  for (const size of [65_536, 4096, 512, 64, 8]) {
    try {
      for (let i = 0; i < 10_000; i++) insert.run(size);
    } catch (error) {
      if (!/full/i.test((error as Error).message)) throw error;
    }
  }
  return () => db.exec('DROP TABLE test_filler; PRAGMA max_page_count = 1073741823');
}
